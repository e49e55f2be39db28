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
public sealed record HealthPayload(string Schema, [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset? At, IReadOnlyList<DeviceHealthEntry> Devices, HostVitals Host)
{
    public const string SchemaId = "edgeagent.health/1";
}

/// <summary>One device in the health document. Counters of zero are left out (an idle room's heartbeat stays small).</summary>
public sealed record DeviceHealthEntry(
    string Id,
    string Kind,
    string State,
    string Detail,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset? LastSeen,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Errors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Timeouts);

/// <summary>Writes times as UTC to the second ("2026-11-22T08:30:00Z"): enough for health, and short on the wire.</summary>
public sealed class UtcSecondsConverter : JsonConverter<DateTimeOffset?>
{
    public override DateTimeOffset? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        reader.TokenType == System.Text.Json.JsonTokenType.Null ? null : reader.GetDateTimeOffset();

    public override void Write(System.Text.Json.Utf8JsonWriter writer, DateTimeOffset? value, System.Text.Json.JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteStringValue(v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        else writer.WriteNullValue();
    }
}

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
    public const string StreamStalled = "stream-stalled";
    public const string UplinkLost = "uplink-lost";
    public const string UplinkRestored = "uplink-restored";
    public const string RecordingDeleted = "recording-deleted";
    public const string LessonFailed = "lesson-failed";
    public const string LessonDeviceFailed = "lesson-device-failed";
    public const string TimetableRejected = "timetable-rejected";
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
