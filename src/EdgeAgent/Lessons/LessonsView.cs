using System.Globalization;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Lessons;

/// <summary>Planned and live lessons as JSON, the same for the <c>lessons</c> command and <c>edgeagent lessons --json</c> (school time).</summary>
public static class LessonsView
{
    public static JsonObject Planned(PlannedLesson p) => new()
    {
        ["booking"] = p.Booking.Id, ["date"] = p.Booking.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["period"] = p.Booking.Period, ["form"] = p.Booking.Form, ["subject"] = p.Booking.Subject, ["role"] = Words.Of(p.Booking.Role),
        ["partnerSchool"] = p.Booking.PartnerSchool, ["partnerRoom"] = p.Booking.PartnerRoom, ["teacher"] = p.Booking.Teacher,
        ["prepareAt"] = SchoolTime.Of(p.PrepareAt), ["start"] = SchoolTime.Of(p.Start), ["end"] = SchoolTime.Of(p.End),
        ["clash"] = p.IsClash, ["overlapMinutes"] = p.Shared?.OverlapMinutes, ["note"] = p.Shared?.Reason,
    };

    public static JsonObject? Live(LiveLesson? live) => live is null ? null : new JsonObject
    {
        ["id"] = live.Id, ["booking"] = live.Booking?.Id, ["startedBy"] = live.StartedBy, ["start"] = SchoolTime.Of(live.ActualStart),
        ["plannedEnd"] = SchoolTime.Of(live.PlannedEnd),
        ["gaps"] = live.Gaps.Count, ["devicesFailed"] = new JsonArray(live.DevicesFailed.Select(d => (JsonNode?)d).ToArray()),
    };
}
