using System.Text.Json.Serialization;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Contract.Payloads;

/// <summary>
/// The office's timetable document on <c>config/timetable</c> (<c>edgeagent.timetable/1</c>): bookings, and optionally
/// the bell schedules they are booked on. The same shapes are the config file's <c>lessons.timetables</c> and
/// <c>lessons.bookings</c>. Unknown keys are refused: a typo must not silently fall back to a default.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class TimetableDocument
{
    public const string SchemaId = "edgeagent.timetable/1";

    public string? Schema { get; set; }
    public List<TimetableSpec>? Timetables { get; set; }
    public List<BookingSpec>? Bookings { get; set; }
}

/// <summary>One school's bell times: <c>{"school","timeZone","schedules":[{"name","effectiveFrom","periods":[{"name","start","end"}]}]}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class TimetableSpec
{
    public string School { get; set; } = "";
    public string TimeZone { get; set; } = "Asia/Shanghai";
    public List<BellScheduleSpec> Schedules { get; set; } = [];
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class BellScheduleSpec
{
    /// <summary>e.g. "winter" (冬令作息).</summary>
    public string Name { get; set; } = "";
    /// <summary>yyyy-MM-dd</summary>
    public string EffectiveFrom { get; set; } = "";
    public List<PeriodSpec> Periods { get; set; } = [];
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class PeriodSpec
{
    public string Name { get; set; } = "";
    /// <summary>HH:mm, school-local.</summary>
    public string Start { get; set; } = "";
    public string End { get; set; } = "";
}

/// <summary>A lesson booked on a date and period of this room's school.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class BookingSpec
{
    public string Id { get; set; } = "";
    /// <summary>yyyy-MM-dd, school-local.</summary>
    public string Date { get; set; } = "";
    public string Period { get; set; } = "";
    /// <summary><see cref="LessonForms"/></summary>
    public string Form { get; set; } = LessonForms.SyncClassroom;
    /// <summary><see cref="Subjects"/></summary>
    public string Subject { get; set; } = "other";
    /// <summary>This room's role in the lesson; defaults to the agent's role.</summary>
    public RoomRole? Role { get; set; }
    public string? PartnerSchool { get; set; }
    public string? PartnerRoom { get; set; }
    public string? Teacher { get; set; }
    public string? Class { get; set; }
    public int Students { get; set; }
}
