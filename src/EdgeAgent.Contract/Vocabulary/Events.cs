namespace EdgeAgent.Contract.Vocabulary;

/// <summary>How urgent an event is.</summary>
public static class Severity
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Error = "error";

    public static readonly string[] All = [Info, Warning, Error];
}

/// <summary>
/// The stable event types on <c>events</c> (README, MQTT contract). Every type listed here is raised by the agent
/// (a test checks that each appears in its code), and nothing else is.
/// </summary>
public static class EventTypes
{
    public const string DeviceOffline = "device-offline";
    public const string DeviceOnline = "device-online";
    public const string DeviceFaulty = "device-faulty";
    public const string StreamFailed = "stream-failed";
    public const string StreamRestarted = "stream-restarted";
    public const string StreamStalled = "stream-stalled";
    public const string UplinkLost = "uplink-lost";
    public const string UplinkRestored = "uplink-restored";
    public const string RecordingDeleted = "recording-deleted";
    /// <summary>A lesson's file reached the office's storage, checked there (the detail says where).</summary>
    public const string RecordingUploaded = "recording-uploaded";
    /// <summary>A try to upload a lesson's file failed; it is tried again later (the detail says when).</summary>
    public const string RecordingUploadFailed = "recording-upload-failed";
    public const string DiskLow = "disk-low";
    public const string DiskFull = "disk-full";
    public const string LessonFailed = "lesson-failed";
    public const string LessonMissed = "lesson-missed";
    public const string LessonDeviceFailed = "lesson-device-failed";
    public const string ClockUnsynced = "clock-unsynced";
    public const string TimetableClash = "timetable-clash";
    public const string TimetableRejected = "timetable-rejected";
    public const string PolicyRejected = "policy-rejected";
    public const string CommandsDropped = "commands-dropped";
    /// <summary>Nothing from the partner classroom by the window's start plus <c>playback.partnerWaitSeconds</c>.</summary>
    public const string PartnerMissing = "partner-missing";
    public const string PartnerLost = "partner-lost";
    public const string PartnerRestored = "partner-restored";
    public const string PlayerRestarted = "player-restarted";
    public const string PlayerFailed = "player-failed";
    /// <summary>The uplink moved to another rung of the ladder (down: the link could not carry it; up: a calm minute).</summary>
    public const string RungChanged = "rung-changed";
    /// <summary>A playbook's attempt on a device, healed or not (the event's <c>heal</c> says which, and how long it took).</summary>
    public const string Heal = "heal";
    /// <summary>A playbook ran out of attempts: the fault needs a technician; the detail names what was tried.</summary>
    public const string HealFailed = "heal-failed";
    /// <summary>A playbook's <c>notify</c> action.</summary>
    public const string PlaybookNotice = "playbook-notice";
    /// <summary>A playbooks document (file or <c>config/playbooks</c>) failed validation; the playbooks in force stay.</summary>
    public const string PlaybooksRejected = "playbooks-rejected";

    /// <summary>The root updater installed the version the room's ring wants, and the new agent proved healthy.</summary>
    public const string UpdateInstalled = "update-installed";
    /// <summary>An update was refused (not signed by the office, not in its repository) or rolled back (the new agent not healthy in time): the detail says why.</summary>
    public const string UpdateFailed = "update-failed";
    /// <summary>An update policy (<c>config/update</c>) failed validation; the policy in force stays.</summary>
    public const string UpdatePolicyRejected = "update-policy-rejected";

    public static readonly string[] All =
    [
        DeviceOffline, DeviceOnline, DeviceFaulty, StreamFailed, StreamRestarted, StreamStalled, UplinkLost, UplinkRestored,
        RecordingDeleted, RecordingUploaded, RecordingUploadFailed, DiskLow, DiskFull, LessonFailed, LessonMissed, LessonDeviceFailed, ClockUnsynced, TimetableClash,
        TimetableRejected, PolicyRejected, CommandsDropped, PartnerMissing, PartnerLost, PartnerRestored, PlayerRestarted, PlayerFailed,
        RungChanged, Heal, HealFailed, PlaybookNotice, PlaybooksRejected, UpdateInstalled, UpdateFailed, UpdatePolicyRejected,
    ];
}

/// <summary>The stable error codes of replies (and of <c>edgeagent device</c>).</summary>
public static class ReplyCodes
{
    public const string BadJson = "bad_json";
    public const string TooLarge = "too_large";
    public const string UnknownCommand = "unknown_command";
    public const string BadArgs = "bad_args";
    public const string UnknownDevice = "unknown_device";
    public const string DeviceError = "device_error";
    public const string Timeout = "timeout";
    public const string Busy = "busy";
    public const string Internal = "internal";

    public static readonly string[] All = [BadJson, TooLarge, UnknownCommand, BadArgs, UnknownDevice, DeviceError, Timeout, Busy, Internal];

    /// <summary>What a code means, in words a technician can act on.</summary>
    public static string Explain(string? code) => code switch
    {
        BadJson => "the request was not a JSON object",
        TooLarge => "the request was larger than the agent accepts (64 KiB)",
        UnknownCommand => "the agent has no such command (see `edgeagent-ctl diag --help` for the list)",
        BadArgs => "an argument is missing or wrong",
        UnknownDevice => "the room has no device with that id",
        DeviceError => "the device answered with an error or not as its protocol says",
        Timeout => "the agent gave up waiting for the device or the measurement",
        Busy => "the agent is busy with other commands: try again in a few seconds",
        Internal => "the agent hit an internal error: see `diag ROOM logs`",
        _ => "unexpected error",
    };
}
