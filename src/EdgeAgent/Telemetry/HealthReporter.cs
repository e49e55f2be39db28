using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Devices;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Kernel;
using EdgeAgent.State;

namespace EdgeAgent.Telemetry;

/// <summary>
/// Turns device health into telemetry: marks the retained health document dirty on any change (published at
/// once by <see cref="MqttLink"/>, otherwise as the heartbeat), and queues <c>device-offline</c>,
/// <c>device-faulty</c> and <c>device-online</c> events in the outbox.
/// </summary>
public sealed class HealthReporter : IDisposable
{
    private readonly DeviceHealthPoller _poller;
    private readonly EventSink _events;
    private readonly TimeProvider _time;
    private readonly HostVitalsReader _vitals;
    private int _dirty = 1;

    private readonly Degradation _degradation;
    private readonly LiveBoard _board;

    private readonly Recordings.Uploader? _uploader;

    public HealthReporter(DeviceHealthPoller poller, EventSink events, AgentOptions options, Degradation degradation, LiveBoard board, TimeProvider time,
        Recordings.Uploader? uploader = null)
    {
        _uploader = uploader;
        _poller = poller;
        _events = events;
        _time = time;
        _degradation = degradation;
        _board = board;
        _vitals = new HostVitalsReader(options.Recording.Directory);
        poller.HealthChanged += OnChanged;
        degradation.Changed += MarkChanged;
        board.Changed += MarkChanged;
    }

    private void MarkChanged()
    {
        Interlocked.Exchange(ref _dirty, 1);
        Changed?.Invoke();
    }

    /// <summary>Raised when the health document should be published now.</summary>
    public event Action? Changed;

    public bool Dirty => Volatile.Read(ref _dirty) == 1;

    private void OnChanged(DeviceHealth? old, DeviceHealth now)
    {
        Interlocked.Exchange(ref _dirty, 1);
        var type = EventFor(old?.State, now.State);
        if (type is not null)
        {
            _events.Raise(type, type == EventTypes.DeviceOnline ? Severity.Info : Severity.Warning, now.DeviceId, now.Detail);
        }
        Changed?.Invoke();
    }

    internal static string? EventFor(DeviceState? before, DeviceState after)
    {
        return after switch
        {
            DeviceState.Offline when before != DeviceState.Offline => EventTypes.DeviceOffline,
            DeviceState.Faulty when before != DeviceState.Faulty => EventTypes.DeviceFaulty,
            DeviceState.Online or DeviceState.Degraded when before is DeviceState.Offline or DeviceState.Faulty => EventTypes.DeviceOnline,
            _ => null,
        };
    }

    /// <summary>The health document now; clears the dirty mark.</summary>
    public byte[] Build()
    {
        Interlocked.Exchange(ref _dirty, 0);
        var devices = _poller.Snapshot.Select(DeviceHealthPoller.Entry).ToList();
        var degraded = _degradation.Reasons;
        var payload = new HealthPayload(HealthPayload.SchemaId, SchoolTime.Of(_time.GetUtcNow()), devices, _vitals.Read(), _board.Lesson,
            degraded.Count == 0 ? null : degraded, Uploads());
        return JsonSerializer.SerializeToUtf8Bytes(payload, ContractJson.Wire.HealthPayload);
    }

    private UploadsHealth? Uploads()
    {
        if (_uploader is not { Enabled: true } uploader) return null;
        var b = uploader.Backlog;
        return new UploadsHealth(b.Files, b.Bytes, b.OldestQueuedAt is { } t ? SchoolTime.Of(t) : null);
    }

    public void Dispose()
    {
        _poller.HealthChanged -= OnChanged;
        _degradation.Changed -= MarkChanged;
        _board.Changed -= MarkChanged;
    }
}
