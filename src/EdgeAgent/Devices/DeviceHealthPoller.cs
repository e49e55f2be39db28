using System.Threading.Channels;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Kernel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Devices;

/// <summary>
/// Polls every device at its interval (power inquiry, ERST, GET ALL) and keeps the room's health. A device
/// that stops answering is offline at its next poll, so within two poll intervals. Changes are raised at once
/// (<see cref="HealthChanged"/>): reports by exception. A main loop: it beats the watchdog on every pass.
/// </summary>
public sealed partial class DeviceHealthPoller : IHostedService, IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private readonly DeviceRegistry _devices;
    private readonly TimeProvider _time;
    private readonly ILogger<DeviceHealthPoller> _log;
    private readonly List<(ClassroomDevice Device, DeviceHealthTracker Tracker)> _trackers;
    private readonly Dictionary<string, DateTimeOffset> _due = [];
    private readonly Channel<bool> _ticks = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly LoopBeat _beat;
    private readonly CancellationTokenSource _stop = new();
    private ITimer? _timer;
    private Task? _loop;
    private int _passes;

    public DeviceHealthPoller(DeviceRegistry devices, MainLoops loops, TimeProvider time, ILogger<DeviceHealthPoller> log)
    {
        _devices = devices;
        _time = time;
        _log = log;
        _trackers = devices.All.Select(d => (d, new DeviceHealthTracker(d.Driver, time))).ToList();
        var slowest = devices.All.Select(d => d.PollInterval).DefaultIfEmpty(Tick).Max();
        // A pass takes at most one poll deadline; three of the slowest intervals without a pass means hung.
        _beat = loops.Register("device-health", TimeSpan.FromTicks(Math.Max(slowest.Ticks * 3, TimeSpan.FromSeconds(30).Ticks)));
    }

    /// <summary>Raised after a poll whose state or detail differs from the previous one (old is null at the first poll).</summary>
    public event Action<DeviceHealth?, DeviceHealth>? HealthChanged;

    /// <summary>Raised after every poll of a device, changed or not (what the playbooks compare with the desired state).</summary>
    public event Action<DeviceHealth>? Polled;

    /// <summary>Completed polling passes (for tests that drive time).</summary>
    public int Passes => Volatile.Read(ref _passes);

    public IReadOnlyList<DeviceHealth> Snapshot => _trackers.Select(t => t.Tracker.Current).ToList();

    /// <summary>A device's health as the contract carries it (the <c>health</c> document and the <c>health</c> command).</summary>
    public static DeviceHealthEntry Entry(DeviceHealth h) =>
        new(h.DeviceId, h.Kind, h.State.ToString().ToLowerInvariant(), h.Detail, h.LastSeen, h.Errors, h.Timeouts, h.LateReplies);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var (device, _) in _trackers) _due[device.Id] = now; // first poll at once
        _timer = _time.CreateTimer(_ => _ticks.Writer.TryWrite(true), null, Tick, Tick);
        _ticks.Writer.TryWrite(true);
        _loop = Task.Run(() => LoopAsync(_stop.Token));
        return Task.CompletedTask;
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        try
        {
            while (await _ticks.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                _ticks.Reader.TryRead(out _);
                await PollDueAsync(ct).ConfigureAwait(false);
                _beat.Beat();
                Interlocked.Increment(ref _passes);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Polls, in parallel, every device whose time has come.</summary>
    public async Task PollDueAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var due = _trackers.Where(t => _due[t.Device.Id] <= now).ToList();
        foreach (var (device, _) in due) _due[device.Id] = now + device.PollInterval;
        await Task.WhenAll(due.Select(t => PollOneAsync(t.Device, t.Tracker, ct))).ConfigureAwait(false);
    }

    /// <summary>Polls every device now, whatever its schedule (the technician's <c>health</c> command).</summary>
    public Task<DeviceHealth[]> PollAllNowAsync(CancellationToken ct) =>
        Task.WhenAll(_trackers.Select(t => PollOneAsync(t.Device, t.Tracker, ct)));

    /// <summary>Polls one device now, whatever its schedule (a playbook checking its work); null for an unknown device.</summary>
    public async Task<DeviceHealth?> PollNowAsync(string deviceId, CancellationToken ct)
    {
        var entry = _trackers.FirstOrDefault(t => t.Device.Id == deviceId);
        return entry.Device is null ? null : await PollOneAsync(entry.Device, entry.Tracker, ct).ConfigureAwait(false);
    }

    private async Task<DeviceHealth> PollOneAsync(ClassroomDevice device, DeviceHealthTracker tracker, CancellationToken ct)
    {
        var before = tracker.Current;
        var first = !tracker.HasPolled;
        // The poll must end before the next one is due, so an answerless device is offline within two intervals.
        var deadline = TimeSpan.FromTicks(Math.Min(device.PollInterval.Ticks, TimeSpan.FromSeconds(10).Ticks));
        var after = await tracker.PollAsync(deadline, ct).ConfigureAwait(false);
        if (first || after.DiffersFrom(before))
        {
            // A device that stops answering is a technician's business: a warning, not information.
            if (after.State is DeviceState.Offline or DeviceState.Faulty) LogTrouble(after.DeviceId, after.State.ToString().ToLowerInvariant(), after.Detail);
            else LogChanged(after.DeviceId, after.State.ToString().ToLowerInvariant(), after.Detail);
            try
            {
                HealthChanged?.Invoke(first ? null : before, after);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogListenerFailed(e, after.DeviceId);
            }
        }
        try
        {
            Polled?.Invoke(after);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogListenerFailed(e, after.DeviceId);
        }
        return after;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _stop.Cancel();
        if (_loop is not null) await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Device {Device}: {State} ({Detail})")]
    private partial void LogChanged(string device, string state, string detail);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Device {Device}: {State} ({Detail})")]
    private partial void LogTrouble(string device, string state, string detail);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "A health listener failed for device {Device}")]
    private partial void LogListenerFailed(Exception e, string device);
}
