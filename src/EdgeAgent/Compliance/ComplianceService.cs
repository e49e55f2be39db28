using System.Globalization;
using System.Text.Json;
using EdgeAgent.Devices;
using EdgeAgent.Hardware.Health;
using EdgeAgent.State;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Media;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Compliance;

/// <summary>
/// Runs the compliance check a minute after start, then daily, and half a minute after any device goes offline or
/// comes back; a check that falls due while a lesson stream holds the camera runs as soon as that stream ends. Also on demand
/// (<c>compliance-check</c>). Each report is stored in the state database and published retained on
/// <c>compliance</c> through the outbox.
/// </summary>
public sealed partial class ComplianceService : BackgroundService
{
    public static readonly TimeSpan FirstRun = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Daily = TimeSpan.FromDays(1);
    public static readonly TimeSpan AfterDeviceChange = TimeSpan.FromSeconds(30);

    private readonly ComplianceChecker _checker;
    private readonly PolicySource _policies;
    private readonly ComplianceStore _store;
    private readonly TimeProvider _time;
    private readonly StreamService _streams;
    private readonly ILogger<ComplianceService> _log;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private DateTimeOffset _due;

    public ComplianceService(ComplianceChecker checker, PolicySource policies, ComplianceStore store, StreamService streams, TimeProvider time,
        ILogger<ComplianceService> log)
    {
        _checker = checker;
        _policies = policies;
        _store = store;
        _time = time;
        _streams = streams;
        _log = log;
        _due = time.GetUtcNow() + FirstRun;
        streams.StreamStopped += () => _wake.Release();
    }

    /// <summary>A device went offline or came back: check again half a minute later (the host wires the device poller here).</summary>
    public void DeviceChanged(DeviceHealth? old, DeviceHealth now)
    {
        var wentOffline = now.State is DeviceState.Offline && old?.State is not DeviceState.Offline && old is not null;
        var cameBack = old?.State is DeviceState.Offline && now.State is DeviceState.Online or DeviceState.Degraded;
        if (!wentOffline && !cameBack) return;
        var soon = _time.GetUtcNow() + AfterDeviceChange;
        if (soon < _due) _due = soon;
        _wake.Release();
    }

    public ComplianceReport? Last { get; private set; }

    /// <summary>A check is due and waits for the lesson stream to end (for tests and <c>ping</c>).</summary>
    public bool DeferredForStream { get; private set; }

    /// <summary>Runs the check now (one at a time), stores and publishes the report.</summary>
    public async Task<ComplianceReport> RunNowAsync(string trigger, CancellationToken ct)
    {
        await _one.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var report = await _checker.RunAsync(_policies.Current, trigger, ct).ConfigureAwait(false);
            _store.Store(report);
            Last = report;
            return report;
        }
        finally
        {
            _one.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = _due - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var delay = Task.Delay(wait, _time, timer.Token);
                    await Task.WhenAny(delay, _wake.WaitAsync(timer.Token)).ConfigureAwait(false);
                    await timer.CancelAsync().ConfigureAwait(false);
                    continue;
                }
                if (_streams.Current is not null)
                {
                    // The camera belongs to the lesson: the check stays due and runs when the stream stops (it wakes us).
                    DeferredForStream = true;
                    using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    await Task.WhenAny(_wake.WaitAsync(waiting.Token), Task.Delay(TimeSpan.FromMinutes(10), _time, waiting.Token)).ConfigureAwait(false);
                    await waiting.CancelAsync().ConfigureAwait(false);
                    continue;
                }
                DeferredForStream = false;
                _due = _time.GetUtcNow() + Daily;
                try
                {
                    await RunNowAsync("schedule", stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogScheduledFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Error, Message = "Scheduled compliance check failed")]
    private partial void LogScheduledFailed(Exception e);
}
