using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.State;

/// <summary>
/// Watches the room on the state and recording volumes. When the state database finds no room (its reserve given
/// back) or the volume is nearly full, the agent is degraded ("disk full" on <c>ping</c> and <c>health</c>), raises
/// <c>disk-full</c> once, and tells whoever can free space (<see cref="Pressure"/>: retention deletes the oldest
/// finished recordings). When there is room again the reserve is laid down, a database that could not be opened at
/// start is opened, and the degradation clears. Checks every <see cref="Interval"/> and at once on a full write.
/// </summary>
public sealed partial class DiskWatch(StateDatabase database, EventSink events, Degradation degradation, AgentOptions options, TimeProvider time,
    ILogger<DiskWatch> log) : BackgroundService
{
    public const string Cause = "disk";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    /// <summary>Below this much free space the volume counts as full even with the reserve in place.</summary>
    public const long FullBelowBytes = 512 * 1024;
    /// <summary>Room the reserve needs beside itself before it is laid down again: some recording time, and hysteresis.</summary>
    public const long RestoreHeadroomBytes = 2 * StateDatabase.ReserveBytes;

    private readonly SemaphoreSlim _wake = new(0, 1);
    private bool _full;

    /// <summary>Raised when the volume is (nearly) full: free what can be freed now.</summary>
    public event Action? Pressure;

    /// <summary>Whether the last check found the disk full (for tests and the demo).</summary>
    public bool Full => Volatile.Read(ref _full);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        database.OutOfSpace += _ => Wake();
        return base.StartAsync(cancellationToken);
    }

    private void Wake()
    {
        try { _wake.Release(); } catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Check();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCheckFailed(e.Message);
            }
            using var pass = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            try
            {
                await Task.WhenAny(Task.Delay(Interval, time, pass.Token), _wake.WaitAsync(pass.Token)).ConfigureAwait(false);
            }
            finally
            {
                await pass.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One look: degrade or recover, free space, lay the reserve down, open a database that could not be opened.</summary>
    internal void Check()
    {
        var stateDir = Path.GetDirectoryName(database.FilePath)!;
        var free = Min(DiskSpace.Free(stateDir), DiskSpace.Free(options.Recording.Directory));
        var full = database.SpaceRunningOut && !database.RestoreReserve(RestoreHeadroomBytes) || free is < FullBelowBytes;
        if (full)
        {
            var detail = $"disk full: {(free is { } f ? $"{f / 1024} KiB" : "unknown")} free for the state database and recordings; the oldest finished recordings are deleted first, lesson records wait in memory";
            degradation.Set(Cause, detail);
            if (!_full)
            {
                LogFull(detail);
                events.Raise(EventTypes.DiskFull, Severity.Error, null, detail);
            }
            Volatile.Write(ref _full, true);
            Pressure?.Invoke();
        }
        else
        {
            if (_full) LogRecovered(free ?? 0);
            Volatile.Write(ref _full, false);
            degradation.Clear(Cause);
            if (degradation.Has(StateStartup.Cause)) StateStartup.TryOpen(database, degradation, time, log);
        }
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "Degraded: {Detail}")]
    private partial void LogFull(string detail);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "The disk has room again ({Free} bytes free): no longer degraded")]
    private partial void LogRecovered(long free);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Disk check failed: {Reason}")]
    private partial void LogCheckFailed(string reason);
}
