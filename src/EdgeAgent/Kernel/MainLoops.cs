namespace EdgeAgent.Kernel;

/// <summary>
/// The agent's long-running loops (device polling, lessons, telemetry) register here and beat on every pass.
/// The <see cref="Watchdog"/> pings systemd only while every registered loop has beaten recently, so a hung
/// loop makes systemd restart the agent instead of leaving a box that looks alive and does nothing.
/// </summary>
public sealed class MainLoops(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<LoopBeat> _loops = [];

    /// <param name="name">Shown in the log when the loop stalls.</param>
    /// <param name="maxSilence">How long the loop may go without a beat before it counts as hung.</param>
    public LoopBeat Register(string name, TimeSpan maxSilence)
    {
        var beat = new LoopBeat(name, maxSilence, time);
        lock (_gate) _loops.Add(beat);
        return beat;
    }

    /// <summary>Loops silent for longer than their limit, with how long they have been silent.</summary>
    public IReadOnlyList<(string Name, TimeSpan Silence)> Stalled()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            return _loops
                .Where(l => now - l.LastBeat > l.MaxSilence)
                .Select(l => (l.Name, now - l.LastBeat))
                .ToList();
        }
    }
}

/// <summary>One registered loop's heartbeat; call <see cref="Beat"/> on every pass.</summary>
public sealed class LoopBeat
{
    private readonly TimeProvider _time;
    private long _lastBeatTicks;

    internal LoopBeat(string name, TimeSpan maxSilence, TimeProvider time)
    {
        Name = name;
        MaxSilence = maxSilence;
        _time = time;
        Beat();
    }

    public string Name { get; }
    public TimeSpan MaxSilence { get; }
    public DateTimeOffset LastBeat => new(Interlocked.Read(ref _lastBeatTicks), TimeSpan.Zero);

    public void Beat() => Interlocked.Exchange(ref _lastBeatTicks, _time.GetUtcNow().UtcTicks);
}
