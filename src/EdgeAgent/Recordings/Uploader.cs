using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Lessons;
using EdgeAgent.Media;
using EdgeAgent.Media.Record;
using EdgeAgent.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Recordings;

/// <summary>
/// Delivers recorded lessons to the office (<c>recording.upload</c>). A lesson that ends is written to the
/// <see cref="UploadQueue"/> first; then, while the room is free (no lesson live or being prepared: the lesson's own
/// uplink matters more), its segments are joined into one MP4 (<see cref="LessonFile"/>) and the file and its record are
/// copied with rclone at the bandwidth cap, after a random start delay across the fleet. A lesson about to start stops the
/// copy within a second; it starts again once the room is free. A file counts as <c>uploaded</c> only once the storage
/// lists it at its size and, where the storage gives one, with the same checksum; its segments are then marked uploaded
/// (retention deletes them first) and the local copy goes. A failed try is retried with backoff and jitter. A file already
/// on the storage at its size and checksum (an agent stopped between the copy and the bookkeeping) is not sent again.
/// </summary>
public sealed partial class Uploader : BackgroundService
{
    /// <summary>How often the room's phase is looked at while a copy runs (a lesson starting stops it within this).</summary>
    public static readonly TimeSpan PhaseLook = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    private readonly UploadOptions _options;
    private readonly string _recordings;
    private readonly UploadQueue _queue;
    private readonly LessonRunner _runner;
    private readonly StreamService _streams;
    private readonly EventSink _events;
    private readonly TimeProvider _time;
    private readonly ILogger<Uploader> _log;
    private readonly Rclone? _rclone;
    private DateTimeOffset? _freeSince;
    private TimeSpan _startDelay;

    public Uploader(AgentOptions options, UploadQueue queue, LessonRunner runner, StreamService streams, EventSink events, TimeProvider time, ILogger<Uploader> log)
    {
        _options = options.Recording.Upload;
        _recordings = options.Recording.Directory;
        _queue = queue;
        _runner = runner;
        _streams = streams;
        _events = events;
        _time = time;
        _log = log;
        if (_options.Target is not null)
        {
            var config = _options.ConfigFile ?? Path.Combine(Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY") ?? "", "rclone.conf");
            _rclone = new Rclone(config, _options.BandwidthKbps);
            runner.Recorded += OnRecorded;
        }
    }

    /// <summary>Where the joined files wait for their copy.</summary>
    public string Outgoing => Path.Combine(_recordings, "outgoing");

    /// <summary>Whether recordings are uploaded at all (<c>recording.upload.target</c>).</summary>
    public bool Enabled => _rclone is not null;

    /// <summary>What waits to go (nothing when no upload is configured), as last counted: reading it touches no file (<c>ping</c>).</summary>
    public UploadBacklog Backlog => Volatile.Read(ref _backlog);

    private UploadBacklog _backlog = new(0, 0, null);

    private void Count()
    {
        try
        {
            Volatile.Write(ref _backlog, _queue.Backlog());
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            // the last count stands
        }
    }

    /// <summary>True while a copy runs (for tests and the demo).</summary>
    public bool Copying { get; private set; }

    /// <summary>The name the file of a lesson gets: its stream and the school time it started.</summary>
    public static string FileName(LessonRecord record, string stream) =>
        $"{stream}-{SchoolTime.Of(record.ActualStart ?? record.PlannedStart ?? DateTimeOffset.UnixEpoch):yyyyMMdd-HHmm}";

    private void OnRecorded(LessonRecord record)
    {
        try
        {
            var stream = LessonRecords.StreamNameOf(record);
            // The segments are looked for by their files' own (real) times: written from the lesson's length before now on.
            var now = DateTimeOffset.UtcNow;
            var length = (record.ActualEnd ?? now) - (record.ActualStart ?? now);
            var from = now - length - TimeSpan.FromMinutes(2);
            var json = JsonSerializer.Serialize(record, ContractJson.Wire.LessonRecord);
            if (_queue.Add(FileName(record, stream), record.Id, stream, json, from, now + TimeSpan.FromSeconds(30), _time.GetUtcNow()))
                LogQueued(record.Id, FileName(record, stream));
            Count();
        }
        catch (Exception e) when (e is IOException or Microsoft.Data.Sqlite.SqliteException or StateFullException)
        {
            LogQueueFailed(e, record.Id);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (_rclone is null) return;
        Count();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!await WorkAsync(stop).ConfigureAwait(false))
                    await Task.Delay(Idle, _time, stop).ConfigureAwait(false);
                else Count();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogPassFailed(e);
                await Task.Delay(TimeSpan.FromSeconds(5), _time, stop).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One step of work, when the room is free: a lesson joined or a file sent. False when there was nothing to do now.</summary>
    private async Task<bool> WorkAsync(CancellationToken stop)
    {
        var now = _time.GetUtcNow();
        if (!RoomFree())
        {
            _freeSince = null;
            return false;
        }
        if (_freeSince is null)
        {
            _freeSince = now;
            _startDelay = TimeSpan.FromSeconds(Random.Shared.NextDouble() * _options.StartDelayMaxSeconds);
        }
        if (_queue.Next(now) is not { } item) return false;
        if (item.State == UploadQueue.Joining)
        {
            await JoinAsync(item, stop).ConfigureAwait(false);
            return true;
        }
        if (now - _freeSince < _startDelay) return false;
        await SendAsync(item, stop).ConfigureAwait(false);
        return true;
    }

    private bool RoomFree() => _runner.Intent.Phase == LessonPhases.Idle;

    private async Task JoinAsync(UploadItem item, CancellationToken stop)
    {
        var segments = LessonFile.SegmentsOf(_recordings, item.Stream, item.RecordedFrom, item.RecordedUntil);
        var joined = await LessonFile.JoinAsync(segments, Outgoing, item.Name, System.Text.Encoding.UTF8.GetBytes(item.RecordJson), stop).ConfigureAwait(false);
        if (joined is null)
        {
            _queue.NothingRecorded(item.Name, segments.Count);
            LogNothingRecorded(item.LessonId, segments.Count);
            return;
        }
        var sha = await Sha256Async(joined.Mp4Path, stop).ConfigureAwait(false);
        _queue.Joined(item.Name, joined.Mp4Path, joined.Bytes, sha, joined.Segments, joined.Skipped.Count);
        LogJoined(item.LessonId, joined.Segments.Count, joined.Skipped.Count, joined.Seconds, joined.Bytes);
    }

    private async Task SendAsync(UploadItem item, CancellationToken stop)
    {
        var mp4Remote = Remote(item.Name + ".mp4");
        var jsonRemote = Remote(item.Name + ".json");
        var metadata = Path.Combine(Outgoing, item.Name + ".json");
        using var lesson = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var watch = _time.CreateTimer(_ =>
        {
            if (!RoomFree()) lesson.Cancel();
        }, null, PhaseLook, PhaseLook);
        Copying = true;
        try
        {
            var there = await _rclone!.StatAsync(mp4Remote, lesson.Token).ConfigureAwait(false);
            var already = there is not null && await SameAsync(item, there, lesson.Token).ConfigureAwait(false);
            long resumedAt = 0;
            if (!already)
            {
                if (await SftpAsync(lesson.Token).ConfigureAwait(false) is { } sftp)
                {
                    // What an interrupted try left in the partial file is not sent again.
                    var partial = await _rclone.StatAsync(mp4Remote + ".partial", lesson.Token).ConfigureAwait(false);
                    resumedAt = partial?.Size ?? 0;
                    if (resumedAt > item.Bytes)
                    {
                        await _rclone.DeleteAsync(mp4Remote + ".partial", lesson.Token).ConfigureAwait(false);
                        resumedAt = 0;
                    }
                    await _rclone.MkdirAsync(mp4Remote[..mp4Remote.LastIndexOf('/')], lesson.Token).ConfigureAwait(false);
                    LogSending(item.Name, item.Bytes ?? 0, resumedAt, item.Attempts + 1);
                    await sftp.SendAsync(item.Mp4!, mp4Remote[(mp4Remote.IndexOf(':', StringComparison.Ordinal) + 1)..], resumedAt, Outgoing, lesson.Token).ConfigureAwait(false);
                }
                else
                {
                    LogSending(item.Name, item.Bytes ?? 0, 0, item.Attempts + 1);
                    await _rclone.CopyToAsync(item.Mp4!, mp4Remote, lesson.Token).ConfigureAwait(false);
                }
                there = await _rclone.StatAsync(mp4Remote, lesson.Token).ConfigureAwait(false);
                if (there is null) throw new IOException($"{item.Name}.mp4 is not on the storage after the copy");
                if (!await SameAsync(item, there, lesson.Token).ConfigureAwait(false))
                {
                    await _rclone.DeleteAsync(mp4Remote, lesson.Token).ConfigureAwait(false); // the next try starts from the first byte
                    throw new IOException($"{item.Name}.mp4 on the storage differs from the room's ({there.Size} bytes against {item.Bytes})");
                }
            }
            if (File.Exists(metadata)) await _rclone.CopyToAsync(metadata, jsonRemote, lesson.Token).ConfigureAwait(false);
            var url = _options.UrlTemplate is { } template ? template.Replace("{file}", item.Name + ".mp4", StringComparison.Ordinal) : mp4Remote;
            _queue.MarkUploaded(item.Name, url, _time.GetUtcNow());
            foreach (var segment in item.Segments) _streams.Retention.MarkUploaded(segment);
            File.Delete(item.Mp4!);
            File.Delete(metadata);
            var sums = there!.Hashes.Keys.Where(Checkable).ToList();
            var checkedBy = sums.Count > 0 ? $"size and {string.Join("/", sums)}" : "size (the storage gives no checksum)";
            _events.Raise(EventTypes.RecordingUploaded, Severity.Info, null,
                $"lesson {item.LessonId}: {item.Name}.mp4 ({Mib(item.Bytes ?? 0)} MiB{(item.Skipped > 0 ? $", {item.Skipped} unreadable segment(s) left out" : "")}) " +
                $"{(already ? "was already" : resumedAt > 0 ? $"uploaded (resumed at byte {resumedAt} of {item.Bytes})" : "uploaded")} to {url}, checked by {checkedBy}",
                recording: new RecordingReport(item.LessonId, item.Name + ".mp4", url, item.Bytes ?? 0, item.Sha256 ?? "", item.Skipped, checkedBy));
            LogUploaded(item.Name, url);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // A lesson is being prepared: the copy stops and starts again once the room is free (not a failed try).
            LogPaused(item.Name);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            var wait = Client.Broker.Backoff.Delay(item.Attempts, 30, _options.RetryMaxSeconds);
            var next = _time.GetUtcNow() + wait;
            _queue.Failed(item.Name, e.Message, next);
            _events.Raise(EventTypes.RecordingUploadFailed, Severity.Warning, null,
                $"lesson {item.LessonId}: {item.Name}.mp4 not uploaded (try {item.Attempts + 1}): {e.Message}; tried again at {SchoolTime.Minutes(next)}");
            LogFailed(item.Name, item.Attempts + 1, e.Message);
        }
        finally
        {
            Copying = false;
        }
    }

    public override void Dispose()
    {
        _runner.Recorded -= OnRecorded;
        base.Dispose();
    }

    private SftpResume? _sftp;
    private bool _sftpLooked;

    /// <summary>The resumable copy when the target's remote is SFTP with a key (looked up once), else null: rclone copies whole.</summary>
    private async Task<SftpResume?> SftpAsync(CancellationToken ct)
    {
        if (_sftpLooked) return _sftp;
        var target = _options.Target!;
        var name = target[..target.IndexOf(':', StringComparison.Ordinal)];
        _sftp = await _rclone!.RemoteAsync(name, ct).ConfigureAwait(false) is { } remote ? SftpResume.For(remote, _options.BandwidthKbps) : null;
        _sftpLooked = true;
        return _sftp;
    }

    private string Remote(string file) => _options.Target!.TrimEnd('/') + "/" + file;

    private static bool Checkable(string hash) => hash is "md5" or "sha1" or "sha256";

    /// <summary>Whether the storage's file is the room's: its size, and every checksum the storage gives that can be computed here.</summary>
    private static async Task<bool> SameAsync(UploadItem item, RemoteFile there, CancellationToken ct)
    {
        if (there.Size != item.Bytes) return false;
        foreach (var (kind, value) in there.Hashes.Where(h => Checkable(h.Key)))
        {
            var local = kind == "sha256" ? item.Sha256! : await HashAsync(item.Mp4!, kind, ct).ConfigureAwait(false);
            if (!string.Equals(local, value, StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }

    private static Task<string> Sha256Async(string path, CancellationToken ct) => HashAsync(path, "sha256", ct);

    private static async Task<string> HashAsync(string path, string kind, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        var hash = kind switch
        {
            "md5" => await MD5.HashDataAsync(file, ct).ConfigureAwait(false),
            "sha1" => await SHA1.HashDataAsync(file, ct).ConfigureAwait(false),
            _ => await SHA256.HashDataAsync(file, ct).ConfigureAwait(false),
        };
        return Convert.ToHexStringLower(hash);
    }

    private static string Mib(long bytes) => (bytes / 1_048_576.0).ToString("0.0", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Lesson {Lesson} queued for upload as {Name}")]
    private partial void LogQueued(string lesson, string name);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Error, Message = "Lesson {Lesson} could not be queued for upload")]
    private partial void LogQueueFailed(Exception e, string lesson);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "Lesson {Lesson}: {Segments} segment(s) joined ({Skipped} unreadable left out), {Seconds} s, {Bytes} bytes")]
    private partial void LogJoined(string lesson, int segments, int skipped, double seconds, long bytes);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Warning, Message = "Lesson {Lesson}: nothing readable recorded ({Segments} segment(s)); nothing to upload")]
    private partial void LogNothingRecorded(string lesson, int segments);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Information, Message = "Uploading {Name} ({Bytes} bytes) from byte {From}, try {Attempt}")]
    private partial void LogSending(string name, long bytes, long from, int attempt);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Information, Message = "Uploaded {Name} to {Url}")]
    private partial void LogUploaded(string name, string url);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Information, Message = "Upload of {Name} stopped: a lesson is being prepared; it starts again once the room is free")]
    private partial void LogPaused(string name);

    [LoggerMessage(EventId = 9008, Level = LogLevel.Warning, Message = "Upload of {Name} failed (try {Attempt}): {Reason}")]
    private partial void LogFailed(string name, int attempt, string reason);

    [LoggerMessage(EventId = 9009, Level = LogLevel.Error, Message = "Upload pass failed")]
    private partial void LogPassFailed(Exception e);
}
