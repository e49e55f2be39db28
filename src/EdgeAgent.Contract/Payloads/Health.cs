using System.Text.Json.Serialization;

namespace EdgeAgent.Contract.Payloads;

/// <summary>
/// Retained on <c>health</c>: every device and the host, and while a lesson runs its live figures; on any change at
/// once and as the heartbeat. <see cref="Degraded"/> lists what the agent cannot do right now (a full disk, ...).
/// </summary>
public sealed record HealthPayload(
    string Schema,
    [property: JsonConverter(typeof(SecondsConverter))] DateTimeOffset? At,
    IReadOnlyList<DeviceHealthEntry> Devices,
    HostVitals Host,
    LiveLessonHealth? Lesson = null,
    IReadOnlyList<string>? Degraded = null,
    UploadsHealth? Uploads = null)
{
    public const string SchemaId = "edgeagent.health/1";
}

/// <summary>Recorded lessons waiting to reach the office (with <c>recording.upload</c>): how many, how big, queued since when.</summary>
public sealed record UploadsHealth(int Files, long Bytes, [property: JsonConverter(typeof(SecondsConverter))] DateTimeOffset? Oldest);

/// <summary>One device in the health document. Counters of zero are left out (an idle room's heartbeat stays small).</summary>
public sealed record DeviceHealthEntry(
    string Id,
    string Kind,
    string State,
    string Detail,
    [property: JsonConverter(typeof(SecondsConverter))] DateTimeOffset? LastSeen,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Errors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Timeouts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long LateReplies = 0);

/// <summary>Host figures: CPU and memory use, the recording volume's free space, temperature, uptime.</summary>
public sealed record HostVitals(double CpuPercent, double MemoryPercent, double AgentRssMb, long RecordingFreeBytes, double? TemperatureC, long UptimeSeconds);

/// <summary>The lesson running now, as a technician needs it: which, since when, and how its stream is doing.</summary>
public sealed record LiveLessonHealth(
    string Id, string? Booking, [property: JsonConverter(typeof(SecondsConverter))] DateTimeOffset? Start,
    [property: JsonConverter(typeof(SecondsConverter))] DateTimeOffset? PlannedEnd, string StartedBy, LiveStreamHealth? Stream,
    LivePlaybackHealth? Playback = null, IReadOnlyList<LessonHeal>? Heals = null);

/// <summary>
/// The partner's picture during a two-way lesson: <c>waiting</c> (nothing from the partner yet: the slate),
/// <c>playing</c>, <c>lost</c> (the partner went away: the slate), <c>failed</c> (the player could not be kept running);
/// the latest latency and the figures so far.
/// </summary>
public sealed record LivePlaybackHealth(
    string State, string Partner, double? LatencyMs, double SecondsPlayed, int Stalls, double PartnerLostSeconds, long DroppedFrames, int PlayerRestarts,
    LiveLinkHealth? Link = null);

/// <summary>The live stream of a lesson: its state, rate, and what went wrong so far. <c>UplinkUp</c> is null when no uplink is configured (the room only records).</summary>
public sealed record LiveStreamHealth(
    string State, double Fps, double BitrateKbps, bool? UplinkUp, double SecondsStreamed, int Restarts, int Stalls, int UplinkLosses, long DroppedFrames,
    LiveLinkHealth? Link = null);

/// <summary>
/// An SRT leg right now (the uplink under <c>stream</c>, the partner's stream under <c>playback</c>): the round trip, the
/// rate and the shares of packets lost and retransmitted over the last ten seconds, packets dropped as too late since the
/// lesson began, the send (or receive) buffer, the link's bandwidth estimate, the SRT latency in force, and on the
/// uplink the rung of the ladder it sends.
/// </summary>
public sealed record LiveLinkHealth(
    double RttMs, double Mbps, double LossPercent, double RetransmitPercent, long DroppedPackets, double BufferMs, double BandwidthMbps, int LatencyMs,
    string? Rung = null);
