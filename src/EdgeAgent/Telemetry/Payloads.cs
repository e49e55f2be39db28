using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EdgeAgent.Telemetry;

/// <summary>Retained on <c>state</c>: the birth message, and the Last Will / clean-stop message (online false only).</summary>
public sealed record StatePayload(
    string Schema,
    bool Online,
    string? Version = null,
    string? Role = null,
    DateTimeOffset? StartedAt = null,
    IReadOnlyList<string>? Devices = null)
{
    public const string SchemaId = "edgeagent.state/1";
}

/// <summary>Retained on <c>health</c>: every device and the host, on any change at once and as the heartbeat.</summary>
public sealed record HealthPayload(string Schema, DateTimeOffset At, IReadOnlyList<DeviceHealthEntry> Devices, HostVitals Host)
{
    public const string SchemaId = "edgeagent.health/1";
}

public sealed record DeviceHealthEntry(string Id, string Kind, string State, string Detail, DateTimeOffset? LastSeen, long Errors, long Timeouts);

/// <summary>Host figures: CPU and memory use, the recording volume's free space, temperature, uptime.</summary>
public sealed record HostVitals(double CpuPercent, double MemoryPercent, double AgentRssMb, long RecordingFreeBytes, double? TemperatureC, long UptimeSeconds);

/// <summary>On <c>events</c>, through the outbox: an alert with a stable type.</summary>
public sealed record EventPayload(string Schema, string Id, string Type, string Severity, DateTimeOffset At, string? Device, string Detail)
{
    public const string SchemaId = "edgeagent.event/1";
}

/// <summary>Stable event types (README, MQTT contract).</summary>
public static class EventTypes
{
    public const string DeviceOffline = "device-offline";
    public const string DeviceOnline = "device-online";
    public const string DeviceFaulty = "device-faulty";
    public const string StreamFailed = "stream-failed";
    public const string StreamRestarted = "stream-restarted";
    public const string DiskLow = "disk-low";
    public const string ClockUnsynced = "clock-unsynced";
    public const string TimetableClash = "timetable-clash";
    public const string PolicyRejected = "policy-rejected";
    public const string CommandsDropped = "commands-dropped";
}

/// <summary>The answer to a command: <c>ok</c> with a result, or an error with a stable code.</summary>
public sealed record ReplyPayload(string Schema, string? Id, bool Ok, JsonNode? Result = null, ReplyError? Error = null)
{
    public const string SchemaId = "edgeagent.reply/1";

    public static ReplyPayload Success(string? id, JsonNode result) => new(SchemaId, id, true, result);
    public static ReplyPayload Failure(string? id, string code, string message) => new(SchemaId, id, false, null, new ReplyError(code, message));
}

public sealed record ReplyError(string Code, string Message);

/// <summary>Stable error codes of replies.</summary>
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
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatePayload))]
[JsonSerializable(typeof(HealthPayload))]
[JsonSerializable(typeof(EventPayload))]
[JsonSerializable(typeof(ReplyPayload))]
public sealed partial class TelemetryJson : JsonSerializerContext;
