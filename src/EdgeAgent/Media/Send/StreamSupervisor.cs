using EdgeAgent.Client.Broker;
using EdgeAgent.Configuration;
using EdgeAgent.Kernel;
using EdgeAgent.Media.Link;
using EdgeAgent.Contract.Vocabulary;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Media.Send;

public enum StreamState { Starting, Running, Stopping, Stopped, Failed }

/// <summary>What happened to a stream, for the events topic and the lesson record.</summary>
public sealed record StreamEvent(string Type, string Severity, string Detail);

/// <summary>Live figures of a lesson stream, cumulative over restarts.</summary>
public sealed record StreamStats(
    string LessonId, StreamState State, DateTimeOffset StartedAt, double StreamedSeconds, double UptimePercent,
    long Frames, double Fps, double BitrateKbps, long RecordedBytes, double Speed, long DupFrames, long DropFrames,
    int Restarts, int Stalls, int UplinkLosses, bool UplinkUp, long UplinkBytes, string? LastError, double DowntimeSeconds,
    Contract.Payloads.LiveLinkHealth? Link = null, double? DownForSeconds = null);

/// <summary>
/// The supervisor of one lesson's processes (<see cref="EncoderPipeline"/>): the encoder and the uplink, each in its own
/// loop: progress is watched, a process whose output has not moved for <c>stream.stallSeconds</c> is killed, and a
/// process that exits is started again. The encoder backs off exponentially with jitter up to
/// <c>stream.restartMaxSeconds</c> and is given up (<c>stream-failed</c>) after <c>stream.maxRestarts</c> failures in a
/// row; the uplink retries for the whole lesson with a short capped delay, so a returning ingest server gets the stream
/// within seconds while the encoder and the recording carry on untouched. An SRT uplink's statistics go to its
/// <see cref="SendLink"/>, which is asked once a second which rung of the ladder to send.
/// </summary>
public sealed partial class StreamSupervisor : IAsyncDisposable
{
    private StreamPlan _plan;
    private long _encoderRestartTicks;
    private readonly StreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Action<StreamEvent> _raise;
    // Both are new when a stream that gave up is brought back (ReviveAsync).
    private CancellationTokenSource _stop = new();
    private TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopRequested;
    private readonly TaskCompletionSource _uplinkListening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private Task _loops = Task.CompletedTask;
    private readonly StreamSetup _setup;
    private readonly SendLink? _link;
    private FfmpegRun? _encoder;
    private ChildRun? _uplink;
    private Totals _encoderDone;
    private long _uplinkBytes, _uplinkRestartTicks;
    private int _restarts, _stalls, _uplinkLosses;
    private bool _uplinkUp, _uplinkEverUp;
    private long _restartRequestedTicks;
    private StreamState _state = StreamState.Starting;
    private string? _lastError;
    private DateTimeOffset? _endedAt;
    private DateTimeOffset? _downSince;
    private long? _recordedBytes;
    private TimeSpan _downtime;

    public StreamSupervisor(string lessonId, StreamSetup setup, StreamOptions options, TimeProvider time, ILogger log, Action<StreamEvent> raise)
    {
        LessonId = lessonId;
        _setup = setup;
        _plan = setup.Plan;
        var link = setup.Link;
        _options = options;
        _time = time;
        _link = link;
        if (link is not null)
            link.LatencyChanged += () =>
            {
                Interlocked.Exchange(ref _uplinkRestartTicks, time.GetUtcNow().UtcTicks);
                _uplink?.Kill();
            };
        _log = log;
        _raise = raise;
        StartedAt = time.GetUtcNow();
    }

    public string LessonId { get; }
    public DateTimeOffset StartedAt { get; }
    public StreamPlan Plan => _plan;
    /// <summary>Completes when the encoder first reports progress; faults if the stream fails before that.</summary>
    public Task Running => _running.Task;
    /// <summary>Completes when both loops have ended (stopped or failed).</summary>
    public Task Completion => _loops;
    /// <summary>Process ids of the running ffmpeg processes (for tests and diagnostics).</summary>
    public int? EncoderPid => _encoder?.Exited.IsCompleted == false ? _encoder.Pid : null;
    /// <summary>Whether this stream is sent anywhere (an uplink is configured), or only recorded.</summary>
    public bool HasUplink => _plan.Uplink is not null;

    /// <summary>The SRT uplink's leg (statistics, latency, ladder); null for RTMP or no uplink.</summary>
    public SendLink? Link => _link;

    /// <summary>The rung on the uplink now (0, the top, without a ladder).</summary>
    public int Rung => _setup.Switch?.Current ?? 0;

    public int? UplinkPid => _uplink?.Exited.IsCompleted == false ? _uplink.Pid : null;

    public void Start()
    {
        var encoder = Task.Run(() => EncoderLoopAsync(_stop.Token));
        var uplink = _plan.Uplink is null ? Task.CompletedTask : Task.Run(() => UplinkLoopAsync(_stop.Token));
        var link = _link is null ? Task.CompletedTask : Task.Run(() => LinkLoopAsync(_stop.Token));
        _loops = Task.WhenAll(encoder, uplink, link);
    }

    public StreamStats Stats
    {
        get
        {
            lock (_gate)
            {
                var e = _encoderDone.Plus(_encoder?.Latest);
                var now = _endedAt ?? _time.GetUtcNow();
                var wall = (now - StartedAt).TotalSeconds;
                var streamed = e.OutTime.TotalSeconds;
                var live = _encoder?.Latest;
                var recorded = _recordedBytes ?? RecordedBytes();
                // The tee muxer reports no bitrate (N/A): then the stream's average from what it recorded.
                var bitrate = live?.BitrateKbps is > 0 ? live.BitrateKbps : streamed >= 1 ? Math.Round(recorded * 8 / 1000.0 / streamed) : 0;
                return new StreamStats(LessonId, _state, StartedAt, Math.Round(streamed, 1),
                    wall <= 0 ? 0 : Math.Round(Math.Min(100, 100 * streamed / wall), 1),
                    e.Frames, live?.Fps ?? 0, bitrate, recorded, live?.Speed ?? 0, e.Dup, e.Drop,
                    _restarts, _stalls, _uplinkLosses, _uplinkUp, Interlocked.Read(ref _uplinkBytes), _lastError,
                    Math.Round((_downtime + (_downSince is { } d ? now - d : TimeSpan.Zero)).TotalSeconds, 1), _link?.Live,
                    _downSince is { } down ? Math.Round((now - down).TotalSeconds, 1) : null);
            }
        }
    }

    /// <summary>Bytes of this stream's recording: its lesson's segments written since it started (the tee muxer reports no size).</summary>
    private long RecordedBytes()
    {
        var dir = Path.GetDirectoryName(_plan.RecordingPattern)!;
        if (!Directory.Exists(dir)) return 0;
        var since = StartedAt.UtcDateTime.AddSeconds(-1);
        try
        {
            return new DirectoryInfo(dir).EnumerateFiles($"{LessonId}-*.ts").Where(f => f.LastWriteTimeUtc >= since).Sum(f => f.Length);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Restarts both processes now (the <c>stream-restart</c> command); not counted as a failure.</summary>
    public void RequestRestart()
    {
        Interlocked.Exchange(ref _restartRequestedTicks, _time.GetUtcNow().UtcTicks);
        _encoder?.Kill();
        _uplink?.Kill();
    }

    /// <summary>
    /// The encoder reads other inputs from now on (a playbook's switch to the backup video source): only the encoder is
    /// restarted, the uplink and the recording's lesson carry on (the next segments come from the new encoder).
    /// </summary>
    public void ReplaceEncoder(IReadOnlyList<string> encoderArgs)
    {
        lock (_gate) _plan = _plan with { EncoderArgs = encoderArgs };
        Interlocked.Exchange(ref _encoderRestartTicks, _time.GetUtcNow().UtcTicks);
        _encoder?.Kill();
    }

    /// <summary>
    /// Brings back a stream that gave up (its encoder failed <c>stream.maxRestarts</c> times in a row): a playbook's
    /// restart or switch of source in a lesson that goes on. Its loops start again, on <paramref name="encoderArgs"/>
    /// when given; its figures (seconds streamed, restarts, downtime) carry on. False when it has not given up or is
    /// being stopped.
    /// </summary>
    public async Task<bool> ReviveAsync(IReadOnlyList<string>? encoderArgs = null)
    {
        lock (_gate)
        {
            if (_state != StreamState.Failed || _stopRequested) return false;
        }
        await _loops.ConfigureAwait(false); // a stream that gave up has cancelled them: they end at once
        CancellationTokenSource old;
        lock (_gate)
        {
            if (_state != StreamState.Failed || _stopRequested) return false;
            if (encoderArgs is not null) _plan = _plan with { EncoderArgs = encoderArgs };
            _state = StreamState.Starting;
            _downSince ??= _endedAt; // down from when it gave up until the new encoder makes progress
            _endedAt = null;
            _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            old = _stop;
            _stop = new CancellationTokenSource();
        }
        old.Dispose();
        LogRevived(LessonId);
        _raise(new StreamEvent(EventTypes.StreamRestarted, Severity.Info, $"lesson {LessonId}: started again after it gave up"));
        Start();
        return true;
    }

    /// <summary>Graceful stop: SIGINT to both (the open segment is finished), killed after <c>stream.stopTimeoutSeconds</c>.</summary>
    public async Task StopAsync()
    {
        lock (_gate)
        {
            _stopRequested = true;
            if (_state is StreamState.Starting or StreamState.Running) _state = StreamState.Stopping;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        var grace = TimeSpan.FromSeconds(_options.StopTimeoutSeconds);
        await Task.WhenAll(StopRun(_encoder, grace), StopRun(_uplink, grace)).ConfigureAwait(false);
        await _loops.ConfigureAwait(false);
        _link?.Stop();
        lock (_gate)
        {
            if (_state != StreamState.Failed) _state = StreamState.Stopped;
            _endedAt ??= _time.GetUtcNow();
            _recordedBytes = RecordedBytes();
            if (_downSince is { } since)
            {
                _downtime += _endedAt.Value - since;
                _downSince = null;
            }
        }
        _running.TrySetException(new StreamFailedException("the stream was stopped before it ran"));
    }

    private Task StopRun(ChildRun? run, TimeSpan grace) => run is null ? Task.CompletedTask : run.StopAsync(grace, _log);

    private async Task EncoderLoopAsync(CancellationToken stop)
    {
        var failures = 0;
        if (_plan.Uplink is not null)
        {
            // The uplink listens on the feed first, so the receiver gets the stream from its first keyframe.
            try
            {
                await _uplinkListening.Task.WaitAsync(TimeSpan.FromSeconds(3), _time, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
            }
        }
        while (!stop.IsCancellationRequested)
        {
            FfmpegRun run;
            try
            {
                IReadOnlyList<string> args;
                lock (_gate) args = _plan.EncoderArgs;
                run = await FfmpegRun.StartAsync("encoder", args, _time).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                Fail($"cannot start ffmpeg: {e.Message}");
                return;
            }
            lock (_gate) _encoder = run;
            run.Progress += p =>
            {
                if (p.Frame <= 0) return; // up once pictures come, not sound alone
                lock (_gate)
                {
                    if (_state == StreamState.Starting) _state = StreamState.Running;
                    if (_downSince is { } since)
                    {
                        _downtime += _time.GetUtcNow() - since;
                        _downSince = null;
                    }
                }
                _running.TrySetResult();
            };
            LogEncoderStarted(LessonId, run.Pid);
            var stalled = await WatchAsync(run, stop).ConfigureAwait(false);
            var exit = await run.ExitCodeAsync().ConfigureAwait(false);
            lock (_gate)
            {
                _encoderDone = _encoderDone.Plus(run.Latest);
                _encoder = null;
                // Down from now until a new encoder makes progress (only once the stream has run at all).
                if (_running.Task.IsCompletedSuccessfully && !stop.IsCancellationRequested) _downSince ??= _time.GetUtcNow();
            }
            await run.DisposeAsync().ConfigureAwait(false);
            if (stop.IsCancellationRequested) return;

            if (RestartWasRequested(run) || Interlocked.Read(ref _encoderRestartTicks) >= run.StartedAt.UtcTicks)
            {
                Count(ref _restarts);
                _raise(new StreamEvent(EventTypes.StreamRestarted, Severity.Info, $"lesson {LessonId}: restarted on request"));
                continue;
            }
            var reason = stalled
                ? $"no progress for {_options.StallSeconds} s"
                : $"ffmpeg exited with code {exit}{run.LastError}";
            if (stalled)
            {
                Count(ref _stalls);
                _raise(new StreamEvent(EventTypes.StreamStalled, Severity.Warning, $"lesson {LessonId}: encoder {reason}"));
            }
            // A healthy minute forgives earlier failures.
            failures = (run.Latest?.OutTime ?? TimeSpan.Zero) >= TimeSpan.FromSeconds(60) ? 1 : failures + 1;
            lock (_gate) _lastError = reason;
            if (failures > _options.MaxRestarts)
            {
                Fail($"encoder failed {failures} times in a row; last: {reason}");
                return;
            }
            var delay = Backoff.Delay(failures - 1, 1, _options.RestartMaxSeconds);
            Count(ref _restarts);
            LogEncoderRestart(LessonId, reason, failures, delay.TotalSeconds);
            _raise(new StreamEvent(EventTypes.StreamRestarted, Severity.Warning, $"lesson {LessonId}: encoder {reason}; restarting in {delay.TotalSeconds:0.0} s"));
            if (!await DelayAsync(delay, stop).ConfigureAwait(false)) return;
        }
    }

    private async Task UplinkLoopAsync(CancellationToken stop)
    {
        var uplink = _plan.Uplink!;
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            ChildRun run;
            try
            {
                run = await StartUplinkAsync(uplink, () => failures = 0).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                Fail($"cannot start {uplink.Program}: {e.Message}");
                return;
            }
            lock (_gate) _uplink = run;
            if (!_uplinkListening.Task.IsCompleted)
            {
                await UdpListener.WaitBoundAsync(uplink.FeedPort, TimeSpan.FromSeconds(2), _time, stop).ConfigureAwait(false);
                _uplinkListening.TrySetResult();
            }
            var stalled = await WatchAsync(run, stop).ConfigureAwait(false);
            var exit = await run.ExitCodeAsync().ConfigureAwait(false);
            bool lost;
            lock (_gate)
            {
                _uplink = null;
                lost = _uplinkUp;
                _uplinkUp = false;
            }
            await run.DisposeAsync().ConfigureAwait(false);
            if (stop.IsCancellationRequested) return;
            if (RestartWasRequested(run) || Interlocked.Read(ref _uplinkRestartTicks) >= run.StartedAt.UtcTicks) continue;

            if (lost)
            {
                var reason = stalled ? $"no progress for {_options.StallSeconds} s" : $"{uplink.Program} exited with code {exit}{run.LastError}";
                Count(ref _uplinkLosses);
                lock (_gate) _lastError = $"uplink: {reason}";
                LogUplinkLost(LessonId, reason);
                _raise(new StreamEvent(EventTypes.UplinkLost, Severity.Warning, $"lesson {LessonId}: uplink lost ({reason}); recording continues"));
            }
            var delay = Backoff.Delay(failures++, 0.25, _options.UplinkRetryMaxSeconds);
            if (!await DelayAsync(delay, stop).ConfigureAwait(false)) return;
        }
    }

    /// <summary>Starts one uplink run, wired so that its first bytes mark the uplink up (and restored after a loss).</summary>
    private async Task<ChildRun> StartUplinkAsync(UplinkPlan uplink, Action flowing)
    {
        void Moved(int pid)
        {
            bool restored;
            lock (_gate)
            {
                if (_uplinkUp) return;
                _uplinkUp = true;
                restored = _uplinkEverUp;
                _uplinkEverUp = true;
            }
            flowing();
            if (restored) _raise(new StreamEvent(EventTypes.UplinkRestored, Severity.Info, $"lesson {LessonId}: the stream reaches the ingest server again"));
            LogUplinkFlowing(LessonId, pid);
        }
        if (uplink.IsSrt)
        {
            var srt = await SrtTransmitRun.StartAsync("uplink", uplink.Args(_link?.Latency.Ms ?? EdgeAgent.Media.Link.SrtLatency.SrtDefaultMs), _time).ConfigureAwait(false);
            srt.Sample += sample =>
            {
                _link?.Meter.Add(sample);
                Interlocked.Add(ref _uplinkBytes, sample.SentBytesUnique);
                if (sample.SentUnique > 0) Moved(srt.Pid);
            };
            return srt;
        }
        var ffmpeg = await FfmpegRun.StartAsync("uplink", uplink.Args(0), _time).ConfigureAwait(false);
        var size = 0L;
        ffmpeg.Progress += p =>
        {
            if (p.TotalSize <= size) return;
            Interlocked.Add(ref _uplinkBytes, p.TotalSize - size);
            size = p.TotalSize;
            Moved(ffmpeg.Pid);
        };
        return ffmpeg;
    }

    /// <summary>Once a second: the ladder and the first-seconds latency of the SRT uplink.</summary>
    private async Task LinkLoopAsync(CancellationToken stop)
    {
        while (await DelayAsync(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false))
        {
            try
            {
                _link!.Tick();
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                LogLinkTickFailed(LessonId, e.Message);
            }
        }
    }

    private bool RestartWasRequested(ChildRun run) => Interlocked.Read(ref _restartRequestedTicks) >= run.StartedAt.UtcTicks;

    /// <summary>Waits for the run to exit; kills it and returns true when its progress stops moving.</summary>
    private async Task<bool> WatchAsync(ChildRun run, CancellationToken stop)
    {
        var stall = TimeSpan.FromSeconds(_options.StallSeconds);
        var tick = TimeSpan.FromSeconds(Math.Min(1, _options.StallSeconds / 3.0));
        while (!run.Exited.IsCompleted)
        {
            try
            {
                await Task.WhenAny(run.Exited, Task.Delay(tick, _time, stop)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            if (stop.IsCancellationRequested)
            {
                // StopAsync signals the process; wait for it here so that the loop ends after the process.
                try
                {
                    await run.Exited.WaitAsync(TimeSpan.FromSeconds(_options.StopTimeoutSeconds + 5), _time).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    run.Kill();
                }
                return false;
            }
            if (!run.Exited.IsCompleted && _time.GetUtcNow() - run.LastAdvanceAt > stall)
            {
                run.Kill();
                return true;
            }
        }
        return false;
    }

    private Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop) => Pause.ForAsync(delay, _time, stop);

    private void Fail(string reason)
    {
        lock (_gate)
        {
            _state = StreamState.Failed;
            _lastError = reason;
            _endedAt = _time.GetUtcNow();
        }
        LogFailed(LessonId, reason);
        _raise(new StreamEvent(EventTypes.StreamFailed, Severity.Error, $"lesson {LessonId}: {reason}"));
        _running.TrySetException(new StreamFailedException(reason));
        _stop.Cancel();
        // The uplink has nothing to carry without the encoder.
        _ = StopRun(_uplink, TimeSpan.FromSeconds(_options.StopTimeoutSeconds));
    }

    private void Count(ref int counter)
    {
        lock (_gate) counter++;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_loops.IsCompleted) await StopAsync().ConfigureAwait(false);
        _setup.Dispose();
        _stop.Dispose();
    }

    private readonly record struct Totals(long Frames, TimeSpan OutTime, long Dup, long Drop)
    {
        public Totals Plus(FfmpegProgress? p) =>
            p is null ? this : new Totals(Frames + p.Frame, OutTime + p.OutTime, Dup + p.DupFrames, Drop + p.DropFrames);
    }

    [LoggerMessage(EventId = 6207, Level = LogLevel.Warning, Message = "Lesson {Lesson}: the stream that gave up starts again")]
    private partial void LogRevived(string lesson);

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "Lesson {Lesson}: encoder started (pid {Pid})")]
    private partial void LogEncoderStarted(string lesson, int pid);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Warning, Message = "Lesson {Lesson}: encoder {Reason}; restart {Failures} in {Delay:0.0} s")]
    private partial void LogEncoderRestart(string lesson, string reason, int failures, double delay);

    [LoggerMessage(EventId = 6203, Level = LogLevel.Information, Message = "Lesson {Lesson}: uplink flowing (pid {Pid})")]
    private partial void LogUplinkFlowing(string lesson, int pid);

    [LoggerMessage(EventId = 6204, Level = LogLevel.Warning, Message = "Lesson {Lesson}: uplink lost: {Reason}")]
    private partial void LogUplinkLost(string lesson, string reason);

    [LoggerMessage(EventId = 6205, Level = LogLevel.Error, Message = "Lesson {Lesson}: stream failed: {Reason}")]
    private partial void LogFailed(string lesson, string reason);

    [LoggerMessage(EventId = 6206, Level = LogLevel.Warning, Message = "Lesson {Lesson}: the uplink's ladder could not look at the link: {Reason}")]
    private partial void LogLinkTickFailed(string lesson, string reason);
}

/// <summary>The stream could not be started or kept running.</summary>
public sealed class StreamFailedException(string message) : Exception(message);
