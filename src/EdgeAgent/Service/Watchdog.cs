using EdgeAgent.Kernel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Service;

/// <summary>
/// Sends WATCHDOG=1 to systemd at half the WatchdogSec interval, but only while every main loop is alive
/// (<see cref="MainLoops"/>). Inactive when systemd did not ask for a watchdog (no WATCHDOG_USEC).
/// </summary>
public sealed partial class Watchdog(
    ISystemdNotifier notifier,
    MainLoops loops,
    WatchdogSettings settings,
    TimeProvider time,
    ILogger<Watchdog> log) : IHostedService, IDisposable
{
    private static readonly ServiceState Ping = new("WATCHDOG=1");
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private int _passes;
    private int _pings;
    private bool _withholding;

    /// <summary>Checks made so far (pinged or withheld).</summary>
    public int Passes => Volatile.Read(ref _passes);
    /// <summary>WATCHDOG=1 messages sent so far.</summary>
    public int Pings => Volatile.Read(ref _pings);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.PingInterval is not { } interval || !notifier.IsEnabled)
        {
            LogInactive();
            return Task.CompletedTask;
        }
        LogActive(interval.TotalMilliseconds);
        // A timer of its own, not a loop among the others: it must keep running to notice that they stopped.
        _timer = time.CreateTimer(_ => Check(), null, interval, interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>One watchdog pass: ping if all loops are alive, otherwise withhold and say which loop hung.</summary>
    internal void Check()
    {
        lock (_gate) CheckLocked();
    }

    private void CheckLocked()
    {
        var stalled = loops.Stalled();
        if (stalled.Count == 0)
        {
            notifier.Notify(Ping);
            Interlocked.Increment(ref _pings);
            if (_withholding) LogResumed();
            _withholding = false;
        }
        else
        {
            if (!_withholding)
                foreach (var (name, silence) in stalled) LogStalled(name, silence.TotalSeconds);
            _withholding = true;
        }
        Interlocked.Increment(ref _passes);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "systemd watchdog not requested; watchdog pings off")]
    private partial void LogInactive();

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "systemd watchdog on: pinging every {IntervalMs} ms while the main loops are alive")]
    private partial void LogActive(double intervalMs);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Main loop {Loop} silent for {Seconds:F0} s: withholding watchdog pings so systemd restarts the agent")]
    private partial void LogStalled(string loop, double seconds);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "All main loops alive again: watchdog pings resumed")]
    private partial void LogResumed();
}

/// <summary>The ping interval systemd asked for (half of WATCHDOG_USEC), or null when it asked for none.</summary>
public sealed record WatchdogSettings(TimeSpan? PingInterval)
{
    public static WatchdogSettings FromEnvironment() =>
        Parse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"));

    /// <summary>systemd sets WATCHDOG_PID to the main process; a child that inherited the variables must not ping.</summary>
    public static WatchdogSettings Parse(string? usec, string? pid)
    {
        if (pid is not null && pid != Environment.ProcessId.ToString()) return new WatchdogSettings((TimeSpan?)null);
        return long.TryParse(usec, out var micros) && micros > 0
            ? new WatchdogSettings(TimeSpan.FromMicroseconds(micros / 2.0))
            : new WatchdogSettings((TimeSpan?)null);
    }
}
