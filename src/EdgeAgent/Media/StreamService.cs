using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using EdgeAgent.Media.Link;
using EdgeAgent.Media.Record;
using EdgeAgent.Media.Send;
using EdgeAgent.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Media;

/// <summary>
/// Owns the room's lesson stream (at most one at a time) and the recording directory's retention. The lesson
/// runner starts and stops streams here; diagnostics read <see cref="Current"/>. The stream never outlives the
/// agent: a host stop stops it gracefully, and its processes are tied to the agent (<see cref="ChildProcesses"/>).
/// </summary>
public sealed partial class StreamService : BackgroundService
{
    public static readonly TimeSpan RetentionInterval = TimeSpan.FromSeconds(30);

    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _logs;
    private readonly ILogger<StreamService> _log;
    private readonly EventSink _events;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _retention = new(1, 1);
    private EncoderChoice? _encoder;
    private StreamSupervisor? _current;
    private bool _diskLowRaised;

    public StreamService(AgentOptions options, TimeProvider time, ILoggerFactory logs, EventSink events, StateDatabase database, DiskWatch? disk = null)
    {
        Paths = new LinkPaths(database);
        // A full disk: free the oldest finished recordings now, not at the next retention pass.
        if (disk is not null) disk.Pressure += () => EnforceRetention();
        _options = options;
        _time = time;
        _logs = logs;
        _log = logs.CreateLogger<StreamService>();
        _events = events;
        Retention = new RecordingRetention(database, options.Recording, time, logs.CreateLogger<RecordingRetention>(),
            () => _current?.EncoderPid is { } pid ? [pid] : []);
    }

    public RecordingRetention Retention { get; }

    /// <summary>What the room last measured of its network path (the SRT legs' latency and the ladder's first rung come from it).</summary>
    public LinkPaths Paths { get; }

    /// <summary>The lesson stream until it is stopped (it may have failed meanwhile).</summary>
    public StreamSupervisor? Current => _current;

    /// <summary>Raised when a lesson stream has stopped and the camera is free again.</summary>
    public event Action? StreamStopped;

    /// <summary>Raised for every stream event after it is queued for the office.</summary>
    public event Action<StreamEvent>? StreamEventRaised;

    /// <summary>Starts the stream of <paramref name="lessonId"/>, stopping any other first. Returns once the processes are started.</summary>
    public async Task<StreamSupervisor> StartStreamAsync(string lessonId, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_current is { } old)
            {
                if (old.LessonId == lessonId && old.Stats.State is StreamState.Starting or StreamState.Running) return old;
                await old.StopAsync().ConfigureAwait(false);
            }
            _encoder ??= await EncoderProbe.ResolveAsync(_options.Stream.Encoder, ct).ConfigureAwait(false);
            Directory.CreateDirectory(_options.Recording.Directory);
            var setup = StreamSetup.Create(_options.Stream, _options.Recording, lessonId, _encoder.Value, Paths, _time, Raise);
            if (setup.Link is { } link) LogLink(lessonId, link.Latency.Ms, link.Latency.Reason, link.Rungs[link.Rung].Name, setup.StartRungWhy);
            var stream = new StreamSupervisor(lessonId, setup, _options.Stream, _time, _logs.CreateLogger<StreamSupervisor>(), Raise);
            _current = stream;
            OnBackupVideo = false; // every stream starts on the main source
            stream.Start();
            LogStarting(lessonId, Words.Of(_encoder.Value), setup.Plan.Uplink is { } u ? "uplink " + u.Endpoint.Redacted : "record only");
            return stream;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Whether the recording volume was below <c>recording.minFreeBytes</c> at the latest retention pass.</summary>
    public bool DiskLow => Volatile.Read(ref _diskLowRaised);

    /// <summary>Whether the running stream reads the backup video source (<c>stream.backupVideoSource</c>).</summary>
    public bool OnBackupVideo { get; private set; }

    /// <summary>
    /// Moves the running stream to the backup video source: its encoder restarts on it, the uplink and the lesson's
    /// recording carry on. False (with why) when there is no stream, no backup, or it is on the backup already.
    /// </summary>
    public async Task<(bool Switched, string Why)> SwitchToBackupVideoAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_current is not { } stream || stream.Stats.State is StreamState.Stopping or StreamState.Stopped) return (false, "no lesson stream");
            if (_options.Stream.WithBackupVideo() is not { } backup) return (false, "no backup video source configured");
            if (OnBackupVideo) return (false, "already on the backup video source");
            var plan = EncoderPipeline.Plan(backup, _options.Recording, stream.LessonId, stream.Plan.Rungs, stream.Plan.RungPorts, stream.Plan.Uplink, _encoder!.Value);
            // A stream that gave up on its main source starts again on the backup.
            if (!await stream.ReviveAsync(plan.EncoderArgs).ConfigureAwait(false)) stream.ReplaceEncoder(plan.EncoderArgs);
            OnBackupVideo = true;
            LogBackupVideo(stream.LessonId, Words.Of(backup.VideoSource));
            return (true, $"on the backup video source ({Words.Of(backup.VideoSource)})");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Restarts the lesson stream (a playbook's <c>restart-stream</c>): a running one's processes, or one that gave up
    /// started again. False (with why) when there is no lesson stream.
    /// </summary>
    public async Task<(bool Restarted, string Why)> RestartAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_current is not { } stream || stream.Stats.State is StreamState.Stopping or StreamState.Stopped) return (false, "no lesson stream");
            if (await stream.ReviveAsync().ConfigureAwait(false)) return (true, "started again after it gave up");
            stream.RequestRestart();
            return (true, "restarted");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The uplink's link figures of the stream stopped last (for its lesson record); null when it had no SRT uplink.</summary>
    public Contract.Payloads.LinkLegFigures? LastFigures { get; private set; }

    /// <summary>Stops the current stream gracefully; returns its final figures, or null when none was running.</summary>
    public async Task<StreamStats?> StopStreamAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_current is not { } stream) return null;
            await stream.StopAsync().ConfigureAwait(false);
            var stats = stream.Stats;
            LogStopped(stats.LessonId, stats.StreamedSeconds, stats.Restarts, stats.UplinkLosses);
            // What this lesson's SRT connection measured is the path the next lesson starts from.
            if (stream.Link?.Meter is { Measured: true } meter && meter.Totals is { RttP50Ms: { } rtt } t)
                Paths.Save(new LinkPath(_time.GetUtcNow(), LinkPaths.Lesson, rtt, t.LossPercent, t.BandwidthP50Mbps, null));
            LastFigures = stream.Link?.Figures;
            await stream.DisposeAsync().ConfigureAwait(false);
            _current = null;
            EnforceRetention();
            StreamStopped?.Invoke();
            return stats;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Applies quota and free-space floor now; raises <c>disk-low</c> once while the floor cannot be kept.</summary>
    public IReadOnlyList<string> EnforceRetention()
    {
        if (!_retention.Wait(0)) return []; // a pass is running already
        try
        {
            var deleted = Retention.Enforce();
            if (deleted.Count > 0)
                _events.Raise(EventTypes.RecordingDeleted, Severity.Info, null,
                    $"{deleted.Count} oldest recording segment(s) deleted to stay within the recording quota and free-space floor");
            if (Retention.DeletedBeforeUpload is { Count: > 0 } lost)
                _events.Raise(EventTypes.RecordingDeleted, Severity.Warning, null,
                    $"{lost.Count} segment(s) of lesson(s) {string.Join(", ", lost.Select(p => RecordingRetention.LessonOf(Path.GetFileName(p))).Distinct())} " +
                    "deleted before they were uploaded: the volume was below its free-space floor with nothing uploaded left to delete");
            var free = new DriveInfo(_options.Recording.Directory).AvailableFreeSpace;
            if (free < _options.Recording.MinFreeBytes && !_diskLowRaised)
            {
                _diskLowRaised = true;
                _events.Raise(EventTypes.DiskLow, Severity.Warning, null,
                    $"{free / 1_048_576} MiB free on the recording volume, below the {_options.Recording.MinFreeBytes / 1_048_576} MiB floor");
            }
            else if (free >= _options.Recording.MinFreeBytes) _diskLowRaised = false;
            return deleted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or Microsoft.Data.Sqlite.SqliteException)
        {
            LogRetentionFailed(e.Message);
            return [];
        }
        finally
        {
            _retention.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RetentionInterval, _time);
        try
        {
            do
            {
                if (Directory.Exists(_options.Recording.Directory)) EnforceRetention();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_current is { } stream) await stream.StopAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Raise(StreamEvent e)
    {
        _events.Raise(e.Type, e.Severity, null, e.Detail);
        StreamEventRaised?.Invoke(e);
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Lesson {Lesson}: stream starting ({Encoder}, {Uplink})")]
    private partial void LogStarting(string lesson, string encoder, string uplink);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Lesson {Lesson}: stream stopped after {Seconds} s streamed, {Restarts} restart(s), {Losses} uplink loss(es)")]
    private partial void LogStopped(string lesson, double seconds, int restarts, int losses);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Lesson {Lesson}: SRT latency {Latency} ms ({Why}); starting on rung {Rung} ({RungWhy})")]
    private partial void LogLink(string lesson, int latency, string why, string rung, string rungWhy);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Warning, Message = "Lesson {Lesson}: the encoder now reads the backup video source ({Source})")]
    private partial void LogBackupVideo(string lesson, string source);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Recording retention failed: {Reason}")]
    private partial void LogRetentionFailed(string reason);
}
