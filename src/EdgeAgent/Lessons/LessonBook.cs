using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Lessons;

/// <summary>
/// Everything the runner plans from: this school's timetable, the partner schools' timetables and the bookings.
/// Built from the config file's <c>lessons</c> section, from a <c>config/timetable</c> document
/// (<c>edgeagent.timetable/1</c>) or from an iCalendar feed; <see cref="Build"/> checks every field and returns all
/// problems with their paths, so a bad document is rejected whole and the previous book stays.
/// </summary>
public sealed partial class LessonBook
{
    private LessonBook(string school, IReadOnlyDictionary<string, SchoolTimetable> timetables, IReadOnlyList<Booking> bookings, string source)
    {
        School = school;
        Timetables = timetables;
        Bookings = bookings;
        Source = source;
    }

    public string School { get; }
    public IReadOnlyDictionary<string, SchoolTimetable> Timetables { get; }
    public IReadOnlyList<Booking> Bookings { get; }
    /// <summary>Where the bookings came from: config, mqtt, ical.</summary>
    public string Source { get; }

    public SchoolTimetable? Own => Timetables.GetValueOrDefault(School);

    public static LessonBook Empty(string school, string source = "none") => new(school, new Dictionary<string, SchoolTimetable>(), [], source);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex Id();

    /// <summary>Validates and builds; <paramref name="errors"/> lists every problem as "path: message".</summary>
    public static LessonBook? Build(string school, RoomRole defaultRole, IReadOnlyList<TimetableSpec> timetables, IReadOnlyList<BookingSpec> bookings,
        string source, out List<string> errors, string prefix = "lessons")
    {
        var problems = new List<string>();
        void Fail(string path, string message) => problems.Add($"{path}: {message}");

        var built = new Dictionary<string, SchoolTimetable>(StringComparer.Ordinal);
        for (var t = 0; t < timetables.Count; t++)
        {
            var tt = timetables[t];
            var path = $"{prefix}.timetables[{t}]";
            if (string.IsNullOrWhiteSpace(tt.School)) Fail($"{path}.school", "is required");
            else if (built.ContainsKey(tt.School)) Fail($"{path}.school", $"'{tt.School}' has two timetables");
            TimeZoneInfo? zone = null;
            if (tt.TimeZone == "Asia/Shanghai") zone = SchoolTime.ChinaStandardTime;
            else
            {
                try
                {
                    zone = TimeZoneInfo.FindSystemTimeZoneById(tt.TimeZone);
                }
                catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
                {
                    Fail($"{path}.timeZone", $"'{tt.TimeZone}' is not a known time zone");
                }
            }
            var schedules = new List<BellSchedule>();
            if (tt.Schedules.Count == 0) Fail($"{path}.schedules", "needs at least one bell schedule");
            for (var s = 0; s < tt.Schedules.Count; s++)
            {
                var sc = tt.Schedules[s];
                var sp = $"{path}.schedules[{s}]";
                if (!DateOnly.TryParseExact(sc.EffectiveFrom, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
                    Fail($"{sp}.effectiveFrom", $"'{sc.EffectiveFrom}' is not a date like 2022-10-09");
                var periods = new List<Period>();
                for (var p = 0; p < sc.Periods.Count; p++)
                {
                    var pe = sc.Periods[p];
                    var pp = $"{sp}.periods[{p}]";
                    if (string.IsNullOrWhiteSpace(pe.Name)) Fail($"{pp}.name", "is required");
                    var okStart = TryTime(pe.Start, out var start);
                    var okEnd = TryTime(pe.End, out var end);
                    if (!okStart) Fail($"{pp}.start", $"'{pe.Start}' is not a time like 08:30");
                    if (!okEnd) Fail($"{pp}.end", $"'{pe.End}' is not a time like 09:10");
                    if (okStart && okEnd && end <= start) Fail($"{pp}.end", $"{pe.End} is not after the start {pe.Start}");
                    if (periods.Any(x => x.Name == pe.Name)) Fail($"{pp}.name", $"period '{pe.Name}' appears twice");
                    periods.Add(new Period(pe.Name, start, end));
                }
                if (sc.Periods.Count == 0) Fail($"{sp}.periods", "needs at least one period");
                schedules.Add(new BellSchedule(sc.Name, from, periods));
            }
            if (schedules.Select(x => x.EffectiveFrom).Distinct().Count() != schedules.Count)
                Fail($"{path}.schedules", "two schedules take effect on the same date");
            if (!string.IsNullOrWhiteSpace(tt.School) && !built.ContainsKey(tt.School)) built[tt.School] = new SchoolTimetable(tt.School, schedules, zone);
        }

        var list = new List<Booking>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var b = 0; b < bookings.Count; b++)
        {
            var bo = bookings[b];
            var path = $"{prefix}.bookings[{b}]";
            if (!Id().IsMatch(bo.Id ?? "")) Fail($"{path}.id", $"'{bo.Id}' must be 1-64 characters of A-Z a-z 0-9 _ . -");
            else if (!ids.Add(bo.Id!)) Fail($"{path}.id", $"'{bo.Id}' is booked twice");
            if (!DateOnly.TryParseExact(bo.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                Fail($"{path}.date", $"'{bo.Date}' is not a date like 2022-10-10");
            if (!LessonForms.All.Contains(bo.Form)) Fail($"{path}.form", $"'{bo.Form}' is not one of {string.Join(", ", LessonForms.All)}");
            if (!Subjects.All.Contains(bo.Subject)) Fail($"{path}.subject", $"'{bo.Subject}' is not one of {string.Join(", ", Subjects.All)}");
            var role = bo.Role ?? defaultRole;
            if (bo.Students is < 0 or > 500) Fail($"{path}.students", $"{bo.Students} is not between 0 and 500");
            if (built.TryGetValue(school, out var own) && date != default && own.Window(date, bo.Period) is null)
                Fail($"{path}.period", $"'{bo.Period}' is not a period of {school} on {bo.Date}");
            // The partner's codes go into the partner URL (stream.partnerUrl) and topics: codes only, never free text.
            if (bo.PartnerSchool is { } ps && !Contract.Topics.TopicTree.IsCode(ps))
                Fail($"{path}.partnerSchool", $"'{Contract.Commands.Printable.Of(ps)}' is not a school code (1-64 of A-Z a-z 0-9 _ . -)");
            if (bo.PartnerRoom is { } pr && !Contract.Topics.TopicTree.IsCode(pr))
                Fail($"{path}.partnerRoom", $"'{Contract.Commands.Printable.Of(pr)}' is not a room code (1-64 of A-Z a-z 0-9 _ . -)");
            if (bo.Form == LessonForms.SyncClassroom)
            {
                if (string.IsNullOrWhiteSpace(bo.PartnerSchool)) Fail($"{path}.partnerSchool", "a synchronized lesson needs the partner school");
                else if (!built.ContainsKey(bo.PartnerSchool)) Fail($"{path}.partnerSchool", $"no timetable for '{bo.PartnerSchool}'");
            }
            list.Add(new Booking(bo.Id ?? "", date, bo.Period, bo.Form, bo.Subject, role, bo.PartnerSchool, bo.PartnerRoom, bo.Teacher, bo.Class, bo.Students));
        }
        if (bookings.Count > 0 && !built.ContainsKey(school)) Fail($"{prefix}.timetables", $"there is no timetable for this room's school '{school}'");

        errors = problems;
        return problems.Count == 0 ? new LessonBook(school, built, list.OrderBy(x => x.Date).ThenBy(x => x.Period, StringComparer.Ordinal).ToList(), source) : null;
    }

    /// <summary>
    /// A <c>config/timetable</c> document: <c>{"schema":"edgeagent.timetable/1","timetables":[...],"bookings":[...]}</c>;
    /// without <c>timetables</c> it books on <paramref name="configTimetables"/>.
    /// </summary>
    public static LessonBook? FromJson(string school, RoomRole defaultRole, ReadOnlySpan<byte> json, IReadOnlyList<TimetableSpec> configTimetables, out List<string> errors)
    {
        TimetableDocument? doc;
        try
        {
            if (JsonNode.Parse(json) is not JsonObject root)
            {
                errors = ["not a timetable document: a JSON object is expected"];
                return null;
            }
            // Every unknown key, wrong kind and bad word named with its path, like the config file's.
            var shape = new ShapeCheck(ContractJson.Default.GetTypeInfo).Prune(root, typeof(TimetableDocument));
            if (shape.Count > 0)
            {
                errors = shape.Select(p => $"document.{p.Path}: {p.Reason}").ToList();
                return null;
            }
            doc = root.Deserialize(ContractJson.Default.TimetableDocument);
        }
        catch (JsonException e)
        {
            errors = [$"not a timetable document: {e.Message}"];
            return null;
        }
        if (doc is null || doc.Schema != TimetableDocument.SchemaId)
        {
            errors = [$"schema: must be \"{TimetableDocument.SchemaId}\""];
            return null;
        }
        var timetables = doc.Timetables is { Count: > 0 } own ? own : configTimetables;
        return Build(school, defaultRole, timetables, doc.Bookings ?? [], "mqtt", out errors, "document");
    }

    internal static bool TryTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}
