namespace EdgeAgent.Hardware.Health;

/// <summary>How a device is doing, as every driver reports it.</summary>
public enum DeviceState
{
    /// <summary>Answers and reports no problem.</summary>
    Online,
    /// <summary>Answers but reports a warning (lamp near end of life, filter, a muted channel that should not be...).</summary>
    Degraded,
    /// <summary>Does not answer (timeout, connection refused).</summary>
    Offline,
    /// <summary>Answers with errors or with replies that break the protocol.</summary>
    Faulty,
}

/// <summary>The common status record of one device (ARCHITECTURE: Health/DeviceHealth).</summary>
public sealed record DeviceHealth(
    string DeviceId,
    string Kind,
    DeviceState State,
    string Detail,
    DateTimeOffset? LastSeen,
    DateTimeOffset CheckedAt,
    long Errors,
    long Timeouts,
    long LateReplies = 0,
    DeviceReadings? Readings = null)
{
    /// <summary>True when the parts that matter to a reader changed (not the timestamps or counters).</summary>
    public bool DiffersFrom(DeviceHealth? other) => other is null || other.State != State || other.Detail != Detail;
}

/// <summary>What one health poll of a driver found; <see cref="Readings"/>: what the device reported of its settings.</summary>
public sealed record DevicePollResult(DeviceState State, string Detail, DeviceReadings? Readings = null);

/// <summary>
/// The settings a poll read back, for comparing with what the lesson wants (null: not read, or not this kind's):
/// power (a display warming up counts as on, one cooling down as off), the input and the picture mute of a display,
/// the mute of a microphone array.
/// </summary>
public sealed record DeviceReadings(bool? PowerOn = null, string? Input = null, bool? AvMuted = null, bool? Muted = null);
