using System.Globalization;
using System.Text.Json.Nodes;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// Period 1 of a test day, from this minute (school time) for <see cref="Minutes"/> minutes, so that a lesson booked on it
/// is on at once in agents that run on the real clock. A period cannot cross midnight, so close to midnight in China the
/// schools keep UTC (then mid-afternoon) instead of waiting for the next day.
/// </summary>
public sealed record LessonNow(string Date, string Start, string End, string Zone)
{
    private static readonly TimeSpan SchoolOffset = TimeSpan.FromHours(8);

    public static LessonNow Window(int minutes = 4)
    {
        var now = DateTimeOffset.UtcNow.ToOffset(SchoolOffset);
        var zone = "Asia/Shanghai";
        if (now.TimeOfDay > TimeSpan.FromHours(23.9) - TimeSpan.FromMinutes(minutes)) (now, zone) = (DateTimeOffset.UtcNow, "UTC");
        var start = new TimeSpan(now.Hour, now.Minute, 0);
        return new LessonNow(now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), $"{start:hh\\:mm}", $"{start + TimeSpan.FromMinutes(minutes):hh\\:mm}", zone);
    }

    /// <summary>A school's timetable with this one period.</summary>
    public JsonObject Timetable(string school) => new()
    {
        ["school"] = school,
        ["timeZone"] = Zone,
        ["schedules"] = new JsonArray(new JsonObject
        {
            ["name"] = "test day", ["effectiveFrom"] = Date,
            ["periods"] = new JsonArray(new JsonObject { ["name"] = "1", ["start"] = Start, ["end"] = End }),
        }),
    };

    /// <summary>The <c>lessons</c> section: both schools' timetables and a synchronized maths lesson on period 1.</summary>
    public JsonObject Lessons(string school, string partnerSchool, string partnerRoom, string role) => new()
    {
        ["prepareMinutes"] = 0, ["minimumOverlapMinutes"] = 1, ["displayOffGraceMinutes"] = 0,
        ["timetables"] = new JsonArray(Timetable(school), Timetable(partnerSchool)),
        ["bookings"] = new JsonArray(new JsonObject
        {
            ["id"] = "sync-1", ["date"] = Date, ["period"] = "1", ["form"] = "SyncClassroom", ["subject"] = "maths", ["role"] = role,
            ["partnerSchool"] = partnerSchool, ["partnerRoom"] = partnerRoom, ["teacher"] = "王老师", ["class"] = "四(1)班", ["students"] = 28,
        }),
    };
}
