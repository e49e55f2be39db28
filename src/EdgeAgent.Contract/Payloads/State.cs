using System.Text.Json.Serialization;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Contract.Payloads;

/// <summary>Retained on <c>state</c>: the birth message, and the Last Will / clean-stop message (online false only).</summary>
public sealed record StatePayload(
    string Schema,
    bool Online,
    string? Version = null,
    RoomRole? Role = null,
    DateTimeOffset? StartedAt = null,
    IReadOnlyList<string>? Devices = null)
{
    public const string SchemaId = "edgeagent.state/1";

    public static StatePayload Offline() => new(SchemaId, false);
}

/// <summary>On <c>events</c>, through the outbox: an alert with a stable type (<see cref="EventTypes"/>).</summary>
public sealed record EventPayload(string Schema, string Id, string Type, string Severity, DateTimeOffset At, string? Device, string Detail, HealReport? Heal = null,
    RecordingReport? Recording = null)
{
    public const string SchemaId = "edgeagent.event/1";
}

/// <summary>Writes times to the second with their offset ("2026-11-22T16:30:00+08:00"): enough for health, and short on the wire.</summary>
public sealed class SecondsConverter : JsonConverter<DateTimeOffset?>
{
    public override DateTimeOffset? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        reader.TokenType == System.Text.Json.JsonTokenType.Null ? null : reader.GetDateTimeOffset();

    public override void Write(System.Text.Json.Utf8JsonWriter writer, DateTimeOffset? value, System.Text.Json.JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteStringValue(SchoolTime.Seconds(v));
        else writer.WriteNullValue();
    }
}
