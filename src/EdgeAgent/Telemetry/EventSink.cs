using System.Text.Json;

namespace EdgeAgent.Telemetry;

/// <summary>Raises an alert on <c>events</c>: stored in the outbox first, delivered at least once.</summary>
public sealed class EventSink(Outbox outbox, Topics topics, TimeProvider time)
{
    /// <summary>Raised after an event is queued (for the console of the demo and for tests).</summary>
    public event Action<EventPayload>? Raised;

    public EventPayload Raise(string type, string severity, string? device, string detail)
    {
        var id = Outbox.NewId();
        var payload = new EventPayload(EventPayload.SchemaId, id, type, severity, time.GetUtcNow(), device, detail);
        outbox.Enqueue(OutboxKind.Event, topics.Events, id, JsonSerializer.SerializeToUtf8Bytes(payload, TelemetryJson.Default.EventPayload));
        Raised?.Invoke(payload);
        return payload;
    }
}
