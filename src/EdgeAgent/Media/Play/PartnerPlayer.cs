using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json.Nodes;
using EdgeAgent.Client.Broker;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using EdgeAgent.Media.Link;
using EdgeAgent.Media.Send;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Media.Play;

public enum PlaybackState { Waiting, Playing, Lost, Failed, Stopped }

/// <summary>What the room has received of its partner so far (cumulative over player restarts).</summary>
public sealed record PlaybackStats(
    PlaybackState State, string Partner, double SecondsPlayed, int Stalls, double StallSeconds, double PartnerLostSeconds, long DroppedFrames,
    int PlayerRestarts, double? LatestLatencyMs, IReadOnlyList<double> LatencySamplesMs, Contract.Payloads.LiveLinkHealth? Link = null,
    Contract.Payloads.LinkLegFigures? LinkFigures = null); // LinkFigures: once stopped

/// <summary>
/// The supervisor of one lesson's partner playback (<see cref="PlayerPipeline"/>): the receiver is retried for the
/// whole lesson (backoff 0.25 s doubling to 1 s) and killed when its stream stops moving; the player is restarted with
/// backoff when it dies or stops showing new frames while the partner's stream flows, and given up after
/// <c>playback.maxRestarts</c> in a row. Four times a second it decides what the screen shows: the partner while its
/// stream moves, else the slate (<c>partner-lost</c>, then <c>partner-restored</c>; <c>partner-missing</c> when nothing
/// came <c>playback.partnerWaitSeconds</c> into the window), and reads the player's figures: the frame on screen (its
/// wall-clock stamp against this clock is the latency), dropped frames, stalls.
/// </summary>
public sealed partial class PartnerPlayer : IAsyncDisposable
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan IpcTimeout = TimeSpan.FromSeconds(2);
    /// <summary>No new frame for this long while the partner flows counts as a stall (a longer one restarts the player).</summary>
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(1);

    private readonly PlaybackPlan _plan;
    private readonly PlaybackOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Action<StreamEvent> _raise;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    /// <summary>Every frame's latency, appended as it is shown; immutable, so <see cref="Stats"/> hands it out without a copy.</summary>
    private ImmutableList<double> _latencySamples = [];
    private static readonly TimeSpan CatchUpWindow = TimeSpan.FromSeconds(30);
    private readonly Queue<(DateTimeOffset At, double Ms)> _recentLatency = new();
    private bool _catchingUp;
    /// <summary>Until when a freshly shown feed plays a little fast to shed what the player buffered while it started.</summary>
    private DateTimeOffset? _settleUntil;
    /// <summary>How long a freshly shown feed plays at <see cref="CatchUpSpeed"/>: up to 0.2 s of start-up buffer shed.</summary>
    private static readonly TimeSpan SettleFor = TimeSpan.FromSeconds(2);
    private const string CatchUpSpeed = "1.1";
    private Task _loops = Task.CompletedTask;
    private readonly LinkMeter _meter;
    private readonly SrtLatencyChoice _latency;
    private ChildRun? _receiver;
    private Process? _player;
    private DateTimeOffset? _lastFlowAt;
    private bool _everFlowed, _missingRaised, _lostRaised, _failed, _showingPartner, _stopped;
    private double _secondsPlayed, _stallSeconds, _lostSeconds;
    private int _stalls, _restarts;
    private long _droppedBefore, _droppedNow;
    private double? _latestLatency;

    public PartnerPlayer(string lessonId, string partner, PlaybackPlan plan, PlaybackOptions options, DateTimeOffset windowStart, TimeProvider time,
        ILogger log, Action<StreamEvent> raise, SrtLatencyChoice? latency = null)
    {
        LessonId = lessonId;
        _meter = new LinkMeter(sending: false, time);
        _latency = latency ?? new SrtLatencyChoice(SrtLatency.SrtDefaultMs, "libsrt's default");
        Partner = partner;
        _plan = plan;
        _options = options;
        WindowStart = windowStart;
        _time = time;
        _log = log;
        _raise = raise;
    }

    public string LessonId { get; }
    /// <summary>The partner classroom, school/room.</summary>
    public string Partner { get; }
    public DateTimeOffset WindowStart { get; }
    public PlaybackPlan Plan => _plan;
    public int? PlayerPid { get { lock (_gate) return _player is { HasExited: false } p ? p.Id : null; } }
    public int? ReceiverPid { get { lock (_gate) return _receiver?.Exited.IsCompleted == false ? _receiver.Pid : null; } }

    /// <summary>The player's IPC while it runs (screenshots for the snapshot command and tests).</summary>
    public MpvIpc? Ipc { get; private set; }

    public PlaybackStats Stats
    {
        get
        {
            lock (_gate)
            {
                var state = _stopped ? PlaybackState.Stopped : _failed ? PlaybackState.Failed : _showingPartner ? PlaybackState.Playing
                    : _everFlowed ? PlaybackState.Lost : PlaybackState.Waiting;
                return new PlaybackStats(state, Partner, Math.Round(_secondsPlayed, 1), _stalls, Math.Round(_stallSeconds, 1), Math.Round(_lostSeconds, 1),
                    _droppedBefore + _droppedNow, _restarts, _latestLatency, _latencySamples, LiveLink(),
                    _stopped ? Figures(Math.Round(_stallSeconds, 1)) : null); // the lesson's sums once, for its record
            }
        }
    }

    /// <summary>The partner's SRT leg over the lesson so far (its sums, for the bench), null over RTMP/RTSP.</summary>
    public LinkTotals? LinkTotals => _meter.Measured ? _meter.Totals : null;

    /// <summary>The partner's SRT leg now (null before its first report, or over RTMP/RTSP).</summary>
    private Contract.Payloads.LiveLinkHealth? LiveLink() =>
        _meter.Now is { } n
            ? new Contract.Payloads.LiveLinkHealth(n.RttMs, n.Mbps, n.LossPercent, n.RetransmitPercent, n.DroppedPackets, n.BufferMs, n.BandwidthMbps,
                n.LatencyMs > 0 ? n.LatencyMs : _latency.Ms)
            : null;

    /// <summary>The partner's SRT leg over the lesson, with the stalls the player saw.</summary>
    private Contract.Payloads.LinkLegFigures? Figures(double stallSeconds)
    {
        if (!_meter.Measured) return null;
        var t = _meter.Totals;
        return new Contract.Payloads.LinkLegFigures(_latency.Ms, _latency.Reason, t.RttP50Ms, t.RttP95Ms, t.LossPercent, t.RetransmitPercent, t.DroppedPackets,
            t.Packets, t.BandwidthP50Mbps, stallSeconds, DamagedSeconds: t.SecondsWithDrops);
    }

    public void Start()
    {
        _loops = Task.WhenAll(Task.Run(() => ReceiverLoopAsync(_stop.Token)), Task.Run(() => PlayerLoopAsync(_stop.Token)));
    }

    /// <summary>
    /// Restarts the player now (a playbook's <c>restart-player</c>): one that gave up starts again with a fresh count of
    /// restarts, a running one is replaced. False once the playback is stopped.
    /// </summary>
    public bool RestartPlayer()
    {
        Process? player;
        lock (_gate)
        {
            if (_stopped || _stop.IsCancellationRequested) return false;
            _restarts++;
            if (_failed)
            {
                _failed = false;
                var loop = Task.Run(() => PlayerLoopAsync(_stop.Token));
                _loops = Task.WhenAll(_loops, loop);
                return true;
            }
            player = _player;
        }
        Kill(player);
        return true;
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Process? player;
        ChildRun? receiver;
        lock (_gate)
        {
            player = _player;
            receiver = _receiver;
        }
        receiver?.Kill();
        Kill(player);
        await _loops.ConfigureAwait(false);
        lock (_gate) _stopped = true;
    }

    private async Task ReceiverLoopAsync(CancellationToken stop)
    {
        var failures = 0;
        var stall = TimeSpan.FromSeconds(Math.Max(3, _options.StallSeconds));
        while (!stop.IsCancellationRequested)
        {
            ChildRun run;
            try
            {
                run = await StartReceiverAsync(() => failures = 0).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                LogCannotStart(_plan.Receiver.Program, e.Message);
                return;
            }
            lock (_gate) _receiver = run;
            // Killed when its stream stops moving: a connection that carries nothing is tried again.
            while (!run.Exited.IsCompleted && !stop.IsCancellationRequested)
            {
                try
                {
                    await Task.WhenAny(run.Exited, Task.Delay(TimeSpan.FromMilliseconds(500), _time, stop)).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
                if (_time.GetUtcNow() - run.LastAdvanceAt > stall) run.Kill();
            }
            run.Kill();
            await run.ExitCodeAsync().ConfigureAwait(false);
            lock (_gate) _receiver = null;
            await run.DisposeAsync().ConfigureAwait(false);
            if (!await DelayAsync(Backoff.Delay(failures++, 0.25, 1), stop).ConfigureAwait(false)) return;
        }
    }

    /// <summary>One receiver run, wired so that what it moves marks the partner as flowing (and its statistics are kept).</summary>
    private async Task<ChildRun> StartReceiverAsync(Action flowing)
    {
        var receiver = _plan.Receiver;
        if (receiver.IsSrt)
        {
            var srt = await SrtTransmitRun.StartAsync("receiver", receiver.Args(_latency.Ms), _time).ConfigureAwait(false);
            srt.Sample += sample =>
            {
                _meter.Add(sample);
                if (sample.ReceivedUnique <= 0) return;
                lock (_gate) _lastFlowAt = _time.GetUtcNow();
                flowing();
            };
            return srt;
        }
        var ffmpeg = await FfmpegRun.StartAsync("receiver", receiver.Args(0), _time).ConfigureAwait(false);
        var size = 0L;
        ffmpeg.Progress += p =>
        {
            // Flowing means bytes still coming: the block a dying ffmpeg prints last repeats its total.
            if (p.End || p.TotalSize <= size) return;
            size = p.TotalSize;
            lock (_gate) _lastFlowAt = _time.GetUtcNow();
            flowing();
        };
        return ffmpeg;
    }

    private async Task PlayerLoopAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            Process process;
            try
            {
                process = await ChildProcesses.StartAsync(ChildProcesses.Info("mpv", _plan.PlayerArgs)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                Fail($"cannot start mpv: {e.Message}");
                return;
            }
            process.StandardInput.Close();
            var drained = Task.WhenAll(Drain(process.StandardOutput), Drain(process.StandardError));
            lock (_gate)
            {
                _player = process;
                _showingPartner = false; // a new player starts on the slate, at normal speed
                _catchingUp = false;
                _settleUntil = null;
                _recentLatency.Clear();
            }
            LogPlayerStarted(LessonId, process.Id);
            var healthy = await SuperviseAsync(process, stop).ConfigureAwait(false);
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await drained.ConfigureAwait(false);
            lock (_gate)
            {
                _player = null;
                _showingPartner = false;
                _droppedBefore += _droppedNow;
                _droppedNow = 0;
            }
            process.Dispose();
            if (stop.IsCancellationRequested) return;
            failures = healthy ? 1 : failures + 1;
            if (failures > _options.MaxRestarts)
            {
                Fail($"the player could not be kept running ({failures - 1} restarts in a row)");
                return;
            }
            lock (_gate) _restarts++;
            var delay = Backoff.Delay(failures - 1, 0.5, 5);
            LogPlayerRestart(LessonId, delay.TotalSeconds);
            _raise(new StreamEvent(EventTypes.PlayerRestarted, Severity.Warning,
                $"lesson {LessonId}: the partner's player stopped; restarting it in {delay.TotalSeconds:0.0} s (restart {_restarts})"));
            if (!await DelayAsync(delay, stop).ConfigureAwait(false)) return;
        }
    }

    /// <summary>Drives one player until it exits, stalls or the lesson ends; true when it had played the partner (a healthy run).</summary>
    private async Task<bool> SuperviseAsync(Process process, CancellationToken stop)
    {
        MpvIpc ipc;
        try
        {
            ipc = await MpvIpc.ConnectAsync(_plan.IpcPath, TimeSpan.FromSeconds(10), _time, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return false;
        }
        Ipc = ipc;
        try
        {
            await ipc.ObserveAsync("time-pos", FrameShown, IpcTimeout, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MpvException or TimeoutException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            LogIpcFailed(LessonId, e.Message);
        }
        var played = false;
        double? lastPos = null;
        var stillFor = TimeSpan.Zero;
        var inStall = false;
        try
        {
            while (!stop.IsCancellationRequested && !process.HasExited && ipc.Connected)
            {
                var now = _time.GetUtcNow();
                bool flowing, showing;
                lock (_gate)
                {
                    flowing = _lastFlowAt is { } f && now - f < TimeSpan.FromSeconds(_options.PartnerLostSeconds);
                    showing = _showingPartner;
                    if (!flowing && now >= WindowStart) _lostSeconds += Tick.TotalSeconds;
                }
                if (flowing && !showing)
                {
                    await ShowAsync(ipc, _plan.FeedUrl, stop).ConfigureAwait(false);
                    await SettleAsync(ipc, stop).ConfigureAwait(false);
                    lastPos = null;
                    stillFor = TimeSpan.Zero;
                    bool restored;
                    lock (_gate)
                    {
                        _showingPartner = true;
                        restored = _lostRaised;
                        _lostRaised = false;
                        _everFlowed = true;
                    }
                    LogPartnerShown(LessonId, Partner);
                    if (restored) _raise(new StreamEvent(EventTypes.PartnerRestored, Severity.Info, $"lesson {LessonId}: the partner classroom {Partner} is back on screen"));
                }
                else if (!flowing && showing)
                {
                    await ShowAsync(ipc, _plan.SlatePath, stop).ConfigureAwait(false);
                    lock (_gate)
                    {
                        _showingPartner = false;
                        _lostRaised = true;
                    }
                    LogPartnerLost(LessonId, Partner);
                    _raise(new StreamEvent(EventTypes.PartnerLost, Severity.Warning, $"lesson {LessonId}: nothing from the partner classroom {Partner}; the slate is shown"));
                }
                else if (!flowing && !showing && !_everFlowed && !_missingRaised && now >= WindowStart + TimeSpan.FromSeconds(_options.PartnerWaitSeconds))
                {
                    _missingRaised = true;
                    _raise(new StreamEvent(EventTypes.PartnerMissing, Severity.Warning,
                        $"lesson {LessonId}: nothing from the partner classroom {Partner} {_options.PartnerWaitSeconds} s into the window; the slate is shown, the lesson records and sends"));
                }

                if (showing && flowing)
                {
                    var pos = await ipc.GetDoubleAsync("time-pos", IpcTimeout, stop).ConfigureAwait(false);
                    var dropped = await ipc.GetDoubleAsync("frame-drop-count", IpcTimeout, stop).ConfigureAwait(false);
                    var at = _time.GetUtcNow();
                    lock (_gate)
                    {
                        if (dropped is { } d) _droppedNow = (long)d;
                        if (pos is { } p && (lastPos is null || p > lastPos))
                        {
                            if (lastPos is not null) _secondsPlayed += Tick.TotalSeconds;
                            played = true;
                            stillFor = TimeSpan.Zero;
                            inStall = false;
                        }
                        else if (lastPos is not null)
                        {
                            stillFor += Tick;
                            if (stillFor >= StallAfter)
                            {
                                if (!inStall) _stalls++;
                                inStall = true;
                                _stallSeconds += Tick.TotalSeconds;
                            }
                        }
                        lastPos = pos ?? lastPos;
                    }
                    await CatchUpAsync(ipc, stop).ConfigureAwait(false);
                    if (stillFor >= TimeSpan.FromSeconds(_options.StallSeconds))
                    {
                        LogPlayerStalled(LessonId, _options.StallSeconds);
                        return played;
                    }
                }
                try
                {
                    await Task.Delay(Tick, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        catch (Exception e) when (e is MpvException or TimeoutException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            LogIpcFailed(LessonId, e.Message);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            Ipc = null;
            await ipc.DisposeAsync().ConfigureAwait(false);
        }
        return played;
    }

    /// <summary>
    /// Sheds the start-up buffer. While mpv opens a live feed it reads ahead (the tables, the first keyframe, the sound
    /// that came meanwhile) and then plays from the start of what it read, so every start leaves some tens of
    /// milliseconds more in the player than it needs, at random, and a live player never gets them back on its own.
    /// The first seconds of a freshly shown feed play at 1.1× (the sound's pitch kept): the player runs through what it
    /// holds and then waits for each frame as it arrives, which is as near live as the feed allows.
    /// </summary>
    private async Task SettleAsync(MpvIpc ipc, CancellationToken stop)
    {
        await ipc.CommandAsync(IpcTimeout, stop, "set_property", "speed", CatchUpSpeed).ConfigureAwait(false);
        lock (_gate) _settleUntil = _time.GetUtcNow() + SettleFor;
    }

    /// <summary>
    /// Keeps the picture near live. After a stall the player goes on from where it stopped, and the time it stood still
    /// stays as latency (mpv does not skip ahead on its own). When the latency of the last two seconds is half a second
    /// over the lowest of the last half-minute, the player plays at 1.1× (the sound's pitch kept) until it is back
    /// within 150 ms of it. The lowest recent figure is the reference, not an absolute one, so that two clocks a little
    /// apart or a partner whose SRT latency rose do not make it chase what it cannot reach.
    /// </summary>
    private async Task CatchUpAsync(MpvIpc ipc, CancellationToken stop)
    {
        var now = _time.GetUtcNow();
        double floor, current;
        bool settled;
        lock (_gate)
        {
            settled = _settleUntil is { } until && now >= until;
            if (settled)
            {
                _settleUntil = null;
                // The floor is what the player does from here on, not the start-up it shed.
                _recentLatency.Clear();
            }
        }
        if (settled)
        {
            await ipc.CommandAsync(IpcTimeout, stop, "set_property", "speed", "1").ConfigureAwait(false);
            return;
        }
        lock (_gate)
        {
            if (_settleUntil is not null) return;
            while (_recentLatency.TryPeek(out var oldest) && now - oldest.At > CatchUpWindow) _recentLatency.Dequeue();
            if (_recentLatency.Count < 8) return;
            floor = _recentLatency.Min(l => l.Ms);
            var last = _recentLatency.Where(l => now - l.At <= TimeSpan.FromSeconds(2)).Select(l => l.Ms).Order().ToList();
            if (last.Count == 0) return;
            current = last[last.Count / 2];
        }
        if (!_catchingUp && current > floor + 500)
        {
            await ipc.CommandAsync(IpcTimeout, stop, "set_property", "speed", CatchUpSpeed).ConfigureAwait(false);
            _catchingUp = true;
            LogCatchingUp(LessonId, current, floor);
        }
        else if (_catchingUp && current <= floor + 150)
        {
            await ipc.CommandAsync(IpcTimeout, stop, "set_property", "speed", "1").ConfigureAwait(false);
            _catchingUp = false;
        }
    }

    /// <summary>
    /// Puts <paramref name="what"/> on screen and waits (up to 3 s) until it is there: mpv loads a file asynchronously,
    /// and until it has, the old picture would still be up. Never paused (nothing here may freeze the picture).
    /// </summary>
    private async Task ShowAsync(MpvIpc ipc, string what, CancellationToken stop)
    {
        await ipc.CommandAsync(IpcTimeout, stop, "loadfile", what, "replace").ConfigureAwait(false);
        await ipc.CommandAsync(IpcTimeout, stop, "set_property", "pause", "no").ConfigureAwait(false);
        if (_catchingUp || _settleUntil is not null) await ipc.CommandAsync(IpcTimeout, stop, "set_property", "speed", "1").ConfigureAwait(false);
        lock (_gate)
        {
            // A feed loaded again starts at live: what the player was behind before is gone.
            _catchingUp = false;
            _settleUntil = null;
            _recentLatency.Clear();
        }
        var until = _time.GetUtcNow() + TimeSpan.FromSeconds(3);
        while (_time.GetUtcNow() < until && !stop.IsCancellationRequested)
        {
            // Right after loadfile mpv may have no path at all yet ("property unavailable"): still loading, not a failure.
            var path = await ipc.GetStringAsync("path", IpcTimeout, stop).ConfigureAwait(false);
            // The slate's one frame is at 0; the partner's frames carry the sender's wall clock (seconds since 1970,
            // wrapped): a position past the first second is a frame of the partner on screen, not the slate still up.
            var pos = await ipc.GetDoubleAsync("time-pos", IpcTimeout, stop).ConfigureAwait(false);
            if (path == what && pos is { } at && (what == _plan.SlatePath ? at < 1 : at >= 1)) return;
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, stop).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A frame has just been put on screen (mpv reports each new position as it shows it): its latency is this clock
    /// against the sender's stamp, now, when it appears, as a camera filming the sender's clock would see it first.
    /// </summary>
    private void FrameShown(JsonNode? position)
    {
        if (position is not JsonValue v || !v.TryGetValue<double>(out var p)) return;
        var at = _time.GetUtcNow();
        if (Latency(at, p) is not { } ms) return;
        lock (_gate)
        {
            if (!_showingPartner) return;
            _latestLatency = Math.Round(ms, 1);
            if (_latencySamples.Count < MaxLatencySamples) _latencySamples = _latencySamples.Add(ms);
            _recentLatency.Enqueue((at, ms));
        }
    }

    /// <summary>Every frame's latency is kept for the lesson's figures: at 25 frames a second, 2 h 46 min (2 MB).</summary>
    private const int MaxLatencySamples = 250_000;

    /// <summary>Milliseconds between the sender's wall-clock stamp of the frame on screen and this clock; null when implausible.</summary>
    internal static double? Latency(DateTimeOffset now, double framePosition)
    {
        const double wrap = PlayerPipeline.TimestampWrapSeconds;
        var clock = now.ToUnixTimeMilliseconds() / 1000.0 % wrap;
        var diff = (clock - framePosition) % wrap;
        if (diff > wrap / 2) diff -= wrap;
        if (diff < -wrap / 2) diff += wrap;
        var ms = diff * 1000;
        // Below zero a little (two clocks a few ms apart), never minutes: anything else is not a wall-clock stamp.
        return ms is > -100 and < 60_000 ? Math.Max(0, ms) : null;
    }

    private void Fail(string reason)
    {
        lock (_gate)
        {
            _failed = true;
            _showingPartner = false;
        }
        LogFailed(LessonId, reason);
        _raise(new StreamEvent(EventTypes.PlayerFailed, Severity.Error, $"lesson {LessonId}: {reason}; the partner is not shown, the lesson records and sends"));
    }

    private static async Task Drain(StreamReader reader)
    {
        var buffer = new char[4096];
        try
        {
            while (await reader.ReadAsync(buffer).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }

    private static void Kill(Process? process)
    {
        try
        {
            if (process is { HasExited: false }) process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
    }

    private Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop) => Pause.ForAsync(delay, _time, stop);

    public async ValueTask DisposeAsync()
    {
        if (!_loops.IsCompleted || !_stop.IsCancellationRequested) await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 6401, Level = LogLevel.Information, Message = "Lesson {Lesson}: partner player started (pid {Pid})")]
    private partial void LogPlayerStarted(string lesson, int pid);

    [LoggerMessage(EventId = 6402, Level = LogLevel.Warning, Message = "Lesson {Lesson}: partner player stopped; restart in {Delay:0.0} s")]
    private partial void LogPlayerRestart(string lesson, double delay);

    [LoggerMessage(EventId = 6403, Level = LogLevel.Information, Message = "Lesson {Lesson}: the partner {Partner} is on screen")]
    private partial void LogPartnerShown(string lesson, string partner);

    [LoggerMessage(EventId = 6404, Level = LogLevel.Warning, Message = "Lesson {Lesson}: nothing from the partner {Partner}; slate shown")]
    private partial void LogPartnerLost(string lesson, string partner);

    [LoggerMessage(EventId = 6405, Level = LogLevel.Warning, Message = "Lesson {Lesson}: the partner player showed no new frame for {Seconds} s; restarting it")]
    private partial void LogPlayerStalled(string lesson, int seconds);

    [LoggerMessage(EventId = 6406, Level = LogLevel.Error, Message = "Lesson {Lesson}: partner playback failed: {Reason}")]
    private partial void LogFailed(string lesson, string reason);

    [LoggerMessage(EventId = 6407, Level = LogLevel.Warning, Message = "Lesson {Lesson}: the partner player's IPC failed: {Reason}")]
    private partial void LogIpcFailed(string lesson, string reason);

    [LoggerMessage(EventId = 6409, Level = LogLevel.Information, Message = "Lesson {Lesson}: the partner's picture is {Latency:0} ms behind (the last half-minute's best: {Floor:0} ms); playing at 1.1x to catch up")]
    private partial void LogCatchingUp(string lesson, double latency, double floor);

    [LoggerMessage(EventId = 6408, Level = LogLevel.Error, Message = "Cannot start {Program}: {Reason}")]
    private partial void LogCannotStart(string program, string reason);
}
