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
    LessonStreamHealth Stream, IReadOnlyList<LessonGap> Gaps, IReadOnlyList<string> DevicesFailed, string StartedBy,
    LessonPlaybackHealth? Playback = null, LessonLink? Link = null, IReadOnlyList<LessonHeal>? Heals = null)
{
    public const string SchemaId = "edgeagent.lesson/1";
}

/// <summary>What the network did to the lesson: the uplink (<c>send</c>) and, two ways, the partner's stream (<c>receive</c>); a leg over RTMP or never connected is left out.</summary>
public sealed record LessonLink(LinkLegFigures? Send, LinkLegFigures? Receive);

/// <summary>
/// One SRT leg over the lesson: the latency chosen and why; the round trip's median and 95th percentile; the shares of
/// packets lost and retransmitted; packets dropped as too late (the sender's on the uplink, the receiver's on the
/// partner's stream); the link's median bandwidth estimate; seconds the picture stalled at the receiver where this room
/// is the receiver; the seconds in which packets were lost for good (dropped as too late: a damaged picture or a gap in
/// the sound); on the uplink the time at each rung of the ladder and the number of switches.
/// </summary>
public sealed record LinkLegFigures(
    int LatencyMs, string LatencyReason, double? RttP50Ms, double? RttP95Ms, double LossPercent, double RetransmitPercent, long DroppedPackets, long Packets,
    double? BandwidthMbps, double? StallSeconds = null, IReadOnlyList<RungTime>? Rungs = null, int RungSwitches = 0, int DamagedSeconds = 0);

/// <summary>How long the uplink sent one rung of the ladder.</summary>
public sealed record RungTime(string Rung, int Width, int Height, int VideoKbps, double Seconds);

/// <summary>
/// What the room received in a two-way lesson: the partner's picture played, how often and how long it stalled or
/// was away, frames the player dropped, and the glass-to-glass latency measured from the sender's wall-clock stamps
/// (null when no frame was measured). Absent from a one-way lesson's record.
/// </summary>
public sealed record LessonPlaybackHealth(
    double SecondsPlayed, int Stalls, double StallSeconds, double PartnerLostSeconds, long DroppedFrames, int PlayerRestarts, LatencyFigures? LatencyMs)
{
    public static readonly LessonPlaybackHealth None = new(0, 0, 0, 0, 0, 0, null);
}

/// <summary>Latency percentiles in milliseconds over the frames measured.</summary>
public sealed record LatencyFigures(double P50, double P95, double Max, int Samples);
