using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Contract.Payloads;

/// <summary>A stretch of a lesson the agent was not running (a restart in the middle of a lesson).</summary>
public sealed record LessonGap(DateTimeOffset From, DateTimeOffset To)
{
    public double Seconds => Math.Round((To - From).TotalSeconds, 1);
}

/// <summary>How the lesson's stream went.</summary>
public sealed record LessonStreamHealth(double SecondsStreamed, double UptimePercent, int Restarts, int Stalls, int UplinkLosses, long DroppedFrames, long Bytes, long UplinkBytes)
{
    public static readonly LessonStreamHealth None = new(0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>
/// One lesson as the office counts it, on <c>lessons</c> through the outbox (<c>edgeagent.lesson/1</c>): booking,
/// planned and actual times (school time with its offset), status (<see cref="LessonStatus"/>), who took part,
/// stream health, what failed.
/// </summary>
public sealed record LessonRecord(
    string Schema, string Id, string? BookingId, string Region, string School, string Room, RoomRole Role,
    string Status, string? Reason, string Form, string? Subject, string? PartnerSchool, string? PartnerRoom, string? Teacher, string? Class, int Students,
    string? Period, DateTimeOffset? PlannedStart, DateTimeOffset? PlannedEnd, DateTimeOffset? ActualStart, DateTimeOffset? ActualEnd,
    LessonStreamHealth Stream, IReadOnlyList<LessonGap> Gaps, IReadOnlyList<string> DevicesFailed, string StartedBy)
{
    public const string SchemaId = "edgeagent.lesson/1";
}
