using System.Globalization;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Vocabulary;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;

namespace EdgeAgent.Lessons;

/// <summary>
/// Bookings from an iCalendar feed (Ical.Net): every VEVENT occurrence in the coming weeks becomes a booking on the
/// period of this school that starts at the event's local start time (or contains it). The event's UID (plus the
/// date for a recurring event) is the booking id, SUMMARY the subject, CATEGORIES the form, and X- properties carry
/// the rest: <c>X-EDGEAGENT-PARTNER-SCHOOL</c>, <c>X-EDGEAGENT-PARTNER-ROOM</c>, <c>X-EDGEAGENT-TEACHER</c>,
/// <c>X-EDGEAGENT-CLASS</c>, <c>X-EDGEAGENT-STUDENTS</c>, <c>X-EDGEAGENT-ROLE</c>. The result goes through the same
/// validation as any other bookings.
/// </summary>
public static class ICalendarBookings
{
    public const int HorizonDays = 62;

    /// <summary>The book of <paramref name="timetables"/> with the feed's bookings, or null with every problem listed.</summary>
    public static LessonBook? Parse(string text, string school, RoomRole defaultRole, IReadOnlyList<TimetableSpec> timetables, DateTimeOffset now, out List<string> errors)
    {
        errors = [];
        Ical.Net.Calendar? calendar;
        try
        {
            calendar = Ical.Net.Calendar.Load(text);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            errors.Add($"not an iCalendar document: {e.Message}");
            return null;
        }
        if (calendar is null)
        {
            errors.Add("not an iCalendar document");
            return null;
        }
        var book = LessonBook.Build(school, defaultRole, timetables, [], "ical", out var timetableErrors);
        if (book?.Own is not { } own)
        {
            errors.AddRange(timetableErrors);
            errors.Add($"no timetable for this room's school '{school}'");
            return null;
        }
        var options = new List<BookingSpec>();
        var from = new CalDateTime(now.UtcDateTime.AddDays(-1), "UTC");
        foreach (var e in calendar.Events)
        {
            var recurring = e.RecurrenceRule is not null || e.RecurrenceDates.GetAllDates().Any();
            foreach (var occurrence in e.GetOccurrences(recurring ? from : null).TakeWhile(o => o.Period.StartTime.AsUtc < now.UtcDateTime.AddDays(HorizonDays)))
            {
                var start = occurrence.Period.StartTime;
                var local = start.IsFloating || start.TzId is null ? start.Value : TimeZoneInfo.ConvertTime(start.AsUtc, TimeZoneInfo.Utc, own.Zone);
                var date = DateOnly.FromDateTime(local);
                var time = TimeOnly.FromDateTime(local);
                var period = own.ScheduleOn(date)?.Periods.FirstOrDefault(p => p.Start == time)
                    ?? own.ScheduleOn(date)?.Periods.FirstOrDefault(p => p.Start <= time && time < p.End);
                var id = recurring ? $"{e.Uid}-{date:yyyyMMdd}" : e.Uid ?? "";
                if (period is null)
                {
                    errors.Add($"event {e.Uid} at {local:yyyy-MM-dd HH:mm}: no period of {book.School} starts or runs then");
                    continue;
                }
                RoomRole? role = null;
                if (X(e, "ROLE") is { } roleWord)
                {
                    if (Words.TryParse<RoomRole>(roleWord, out var r)) role = r;
                    else errors.Add($"event {e.Uid}: X-EDGEAGENT-ROLE {Words.NotOneOf<RoomRole>(roleWord)}");
                }
                options.Add(new BookingSpec
                {
                    Id = Sanitize(id), Date = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Period = period.Name,
                    Form = e.Categories.FirstOrDefault() ?? LessonForms.SyncClassroom,
                    Subject = (e.Summary ?? "other").Trim().ToLowerInvariant(),
                    Role = role, PartnerSchool = X(e, "PARTNER-SCHOOL"), PartnerRoom = X(e, "PARTNER-ROOM"),
                    Teacher = X(e, "TEACHER"), Class = X(e, "CLASS"),
                    Students = int.TryParse(X(e, "STUDENTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0,
                });
            }
        }
        if (errors.Count > 0) return null;
        var built = LessonBook.Build(school, defaultRole, timetables, options, "ical", out var problems, "ical");
        errors.AddRange(problems);
        return built;
    }

    private static string? X(CalendarEvent e, string name) =>
        e.Properties.FirstOrDefault(p => string.Equals(p.Name, "X-EDGEAGENT-" + name, StringComparison.OrdinalIgnoreCase))?.Value?.ToString();

    private static string Sanitize(string id) => new(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').Take(64).ToArray());
}
