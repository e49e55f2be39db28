using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Lessons;
using EdgeAgent.State;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent lessons</c>: the upcoming lessons of the room with their shared windows and any clash, read from
/// the bookings source the config names; <c>--tallies</c> prints the programme tallies from the state database.
/// Exit 0, or 1 when an upcoming synchronized lesson clashes.
/// </summary>
public static class LessonsVerb
{
    /// <summary>The longest look ahead: two months, the span of a term's timetable the office plans.</summary>
    public const int MaxDays = 62;

    public static async Task<int> RunAsync(string path, int days, string? from, bool tallies, bool json, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var options = AgentCli.LoadOrReport(path, error);
        if (options is null) return ExitCodes.Config;
        var zone = SchoolTime.ChinaStandardTime;
        DateTimeOffset start;
        if (from is null) start = DateTimeOffset.UtcNow;
        else if (DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            start = new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(d.ToDateTime(TimeOnly.MinValue)));
        else
        {
            error.WriteLine($"edgeagent lessons: --from '{from}' is not a date like 2022-11-14");
            return ExitCodes.Usage;
        }

        if (tallies) return Tallies(options, start, json, output, error);

        var (book, problem) = await LoadBookAsync(options, start, ct).ConfigureAwait(false);
        if (book is null)
        {
            error.WriteLine($"edgeagent lessons: {problem}");
            return ExitCodes.Software;
        }
        var lessons = options.Lessons;
        var upcoming = LessonSchedule.Upcoming(book, start, days, TimeSpan.FromMinutes(lessons.PrepareMinutes), TimeSpan.FromMinutes(lessons.MinimumOverlapMinutes));
        if (json)
        {
            var list = new JsonArray();
            foreach (var p in upcoming) list.Add((JsonNode)LessonsView.Planned(p));
            output.WriteLine(new JsonObject { ["source"] = book.Source, ["from"] = start, ["days"] = days, ["upcoming"] = list }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            output.WriteLine($"Lessons of {options.School}/{options.Room} ({Words.Of(options.Role)} room), {days} day(s) from {TimeZoneInfo.ConvertTime(start, zone):yyyy-MM-dd}, bookings from {book.Source}:");
            if (upcoming.Count == 0) output.WriteLine("  (none)");
            foreach (var p in upcoming)
            {
                var b = p.Booking;
                var window = $"{TimeZoneInfo.ConvertTime(p.Start, zone):HH:mm}-{TimeZoneInfo.ConvertTime(p.End, zone):HH:mm}";
                var partner = b.PartnerSchool is null ? "" : $" with {b.PartnerSchool}";
                var note = p.Shared is null ? "own period" : p.IsClash ? $"CLASH: {p.Shared.Reason}" : $"shared {p.Shared.OverlapMinutes} min";
                output.WriteLine($"  {b.Date:yyyy-MM-dd} period {b.Period,-3} {window}  {b.Form,-16} {b.Subject,-10} {b.Id}{partner}  [{note}]");
            }
        }
        return upcoming.Any(p => p.IsClash) ? ExitCodes.LessonsClash : ExitCodes.Ok;
    }

    private static async Task<(LessonBook? Book, string? Problem)> LoadBookAsync(AgentOptions options, DateTimeOffset now, CancellationToken ct)
    {
        var lessons = options.Lessons;
        switch (lessons.BookingsSource)
        {
            case BookingsSource.Mqtt:
                const string none = "the office's timetable document (none received yet)";
                var file = Path.Combine(options.StateDirectory, "state.db");
                if (!File.Exists(file)) return (LessonBook.Empty(options.School, none), null);
                var db = new StateDatabase(options.StateDirectory, NullLogger<StateDatabase>.Instance);
                db.Migrate();
                var store = new LessonStore(db, TimeProvider.System);
                if (store.LoadBookingsDocument() is not { } saved) return (LessonBook.Empty(options.School, none), null);
                var book = LessonBook.FromJson(options.School, options.Role, saved.Json, lessons.Timetables, out var errors);
                return (book, book is null ? string.Join("; ", errors) : null);
            case BookingsSource.Ical:
                string text;
                try
                {
                    text = lessons.Ical!.StartsWith("http", StringComparison.Ordinal)
                        ? await new HttpClient().GetStringAsync(new Uri(lessons.Ical), ct).ConfigureAwait(false)
                        : await File.ReadAllTextAsync(lessons.Ical, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException)
                {
                    return (null, $"cannot read {lessons.Ical}: {e.Message}");
                }
                var parsed = ICalendarBookings.Parse(text, options.School, options.Role, lessons.Timetables, now, out var icalErrors);
                return (parsed, parsed is null ? string.Join("; ", icalErrors) : null);
            default:
                return (BookingSource.FromConfig(options), null);
        }
    }

    private static int Tallies(AgentOptions options, DateTimeOffset at, bool json, TextWriter output, TextWriter error)
    {
        var file = Path.Combine(options.StateDirectory, "state.db");
        if (!File.Exists(file))
        {
            // Zeros would look like a room that taught nothing: say there is nothing to count from.
            error.WriteLine($"edgeagent lessons: no state database at {file}: the agent has not run with this stateDirectory, so there are no lesson records to count");
            return ExitCodes.NoStateDatabase;
        }
        var records = new List<LessonRecord>();
        var db = new StateDatabase(options.StateDirectory, NullLogger<StateDatabase>.Instance);
        db.Migrate();
        records.AddRange(new LessonStore(db, TimeProvider.System).Records());
        var zone = SchoolTime.ChinaStandardTime;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
        var t = TallyCalculator.Compute(records, today, options.Lessons.Targets, zone, at);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(t, ContractJson.Wire.Tallies));
            return ExitCodes.Ok;
        }
        var targets = t.Targets;
        output.WriteLine($"Programme tallies of {options.School}/{options.Room}, school year {t.SchoolYear} ({t.Year.Lessons} lessons counted: {t.Year.Completed} completed, {t.Year.Partial} partial)");
        output.WriteLine($"  {"month",-8} {"lessons",7}  by form");
        foreach (var m in t.Months)
            output.WriteLine($"  {m.Period,-8} {m.Lessons,7}  {string.Join(", ", m.ByForm.Select(kv => $"{kv.Key} {kv.Value}"))}");
        output.WriteLine($"  synchronized lessons by subject: {(t.Year.SyncBySubject.Count == 0 ? "none" : string.Join(", ", t.Year.SyncBySubject.Select(kv => $"{kv.Key} {kv.Value}")))}");
        output.WriteLine("  targets for the year:");
        output.WriteLine($"    [{Mark(targets.SyncSubjectsMet)}] subjects with ≥ {targets.SyncLessonsPerSubjectNeeded} synchronized lessons: {targets.SyncSubjectsAtTarget} of {targets.SyncSubjectsNeeded}");
        output.WriteLine($"    [{Mark(targets.SyncTotalMet)}] synchronized lessons in all: {targets.SyncLessons} of {targets.SyncLessonsNeeded}");
        output.WriteLine($"    [{Mark(targets.OtherFormMet)}] lessons of one other form: {targets.BestOtherFormLessons} of {targets.OtherFormLessonsNeeded}{(targets.BestOtherForm is null ? "" : $" ({targets.BestOtherForm})")}");
        return ExitCodes.Ok;
    }

    private static string Mark(bool met) => met ? "x" : " ";
}
