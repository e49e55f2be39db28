using System.Text.Json;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Kernel;

namespace EdgeAgent.State;

/// <summary>Raises an alert on <c>events</c>: its detail redacted, stored in the outbox first, delivered at least once.</summary>
public sealed class EventSink(Outbox outbox, RoomTopics topics, TimeProvider time)
{
    /// <summary>Raised after an event is queued (for the console of the demo and for tests).</summary>
    public event Action<EventPayload>? Raised;

    public EventPayload Raise(string type, string severity, string? device, string detail, HealReport? heal = null, RecordingReport? recording = null)
    {
        var id = Outbox.NewId();
        var payload = new EventPayload(EventPayload.SchemaId, id, type, severity, SchoolTime.Of(time.GetUtcNow()), device, Redaction.Text(detail), heal, recording);
        outbox.Enqueue(OutboxKind.Event, topics.Events, id, JsonSerializer.SerializeToUtf8Bytes(payload, ContractJson.Wire.EventPayload));
        Raised?.Invoke(payload);
        return payload;
    }
}
