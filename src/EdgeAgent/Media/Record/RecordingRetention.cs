using System.Globalization;
using EdgeAgent.Configuration;
using EdgeAgent.State;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Media.Record;

/// <summary>A recorded segment as the state database lists it.</summary>
public sealed record RecordingSegment(string Path, string LessonId, long Bytes, DateTimeOffset FinishedAt, string Status);

/// <summary>
/// The recording directory's bookkeeping. Every finished segment is listed in the state database as
/// <c>recorded</c> until it is confirmed <c>uploaded</c> or marked <c>kept</c>. <see cref="Enforce"/> keeps the directory
/// within <c>recording.quotaBytes</c> and the volume above <c>recording.minFreeBytes</c> by deleting the oldest finished
/// segments first; a segment that an encoder still holds open (seen in <c>/proc/PID/fd</c>) or that was written in
/// the last seconds is never deleted, and neither is one marked <c>kept</c>.
/// </summary>
public sealed partial class RecordingRetention(
    StateDatabase database, RecordingOptions options, TimeProvider time, ILogger<RecordingRetention> log,
    Func<IEnumerable<int>> encoderPids, Func<string, long>? freeBytes = null)
{
    /// <summary>Files written this recently are treated as open even if no encoder is seen holding them.</summary>
    public static readonly TimeSpan RecentlyWritten = TimeSpan.FromSeconds(3);

    private readonly Func<string, long> _freeBytes = freeBytes ?? (dir => new DriveInfo(dir).AvailableFreeSpace);

    public string Directory => options.Directory;

    /// <summary>
    /// Deletes what quota and free-space floor require and returns the deleted paths, oldest first. The files go first
    /// and the bookkeeping after (on a full disk the database may not take the bookkeeping at once: a file that is gone
    /// is marked deleted at the next pass that can). Finished segments with nothing playable in them (an encoder killed
    /// as it opened a new one leaves 0 bytes) are removed and never listed; <see cref="Damaged"/> counts them.
    /// </summary>
    public IReadOnlyList<string> Enforce()
    {
        if (!System.IO.Directory.Exists(options.Directory)) return [];
        var open = OpenSegments();
        var files = Segments();
        foreach (var damaged in files.Where(f => !open.Contains(f.FullName) && !Playable(f.FullName, f.Length)).ToList())
        {
            try
            {
                File.Delete(damaged.FullName);
                files.Remove(damaged);
                Interlocked.Increment(ref _damaged);
                LogDamaged(damaged.FullName, damaged.Length);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogCannotDelete(damaged.FullName, e.Message);
            }
        }
        HashSet<string> kept, uploaded;
        try
        {
            kept = _kept = KeptPaths();
            uploaded = _uploaded = Query("status = 'uploaded'").Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
        }
        catch (SqliteException e)
        {
            // The database cannot be read (a disk full to the last byte): the segments last known to be kept stay.
            LogBookkeepingFailed(e.Message);
            kept = _kept;
            uploaded = _uploaded;
        }
        var total = files.Sum(f => f.Length);
        var free = _freeBytes(options.Directory);
        var deleted = new List<string>();
        var beforeUpload = new List<string>();
        // With uploads, what the office has goes first; a lesson it has not got yet goes only when the free-space floor
        // leaves no choice (never for the quota alone). Without uploads, simply the oldest first.
        var uploading = options.Upload.Target is not null;
        var candidates = files.Where(f => !open.Contains(f.FullName) && !kept.Contains(f.FullName));
        if (uploading) candidates = candidates.OrderBy(f => uploaded.Contains(f.FullName) ? 0 : 1); // stable: oldest first within each
        foreach (var file in candidates.ToList())
        {
            var notUploaded = uploading && !uploaded.Contains(file.FullName);
            if (notUploaded ? free >= options.MinFreeBytes : total <= options.QuotaBytes && free >= options.MinFreeBytes) break;
            var length = file.Length;
            try
            {
                File.Delete(file.FullName); // a file already gone counts as deleted
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogCannotDelete(file.FullName, e.Message);
                continue;
            }
            total -= length;
            free += length;
            deleted.Add(file.FullName);
            if (notUploaded) beforeUpload.Add(file.FullName);
        }
        DeletedBeforeUpload = beforeUpload;
        if (deleted.Count > 0)
            LogDeleted(deleted.Count, total);
        try
        {
            Register(files.Where(f => !open.Contains(f.FullName))); // the deleted too (as the pass saw them): listed, then marked gone
            MarkGone();
        }
        catch (SqliteException e)
        {
            LogBookkeepingFailed(e.Message);
        }
        return deleted;
    }

    private long _damaged;
    private HashSet<string> _kept = new(StringComparer.Ordinal);
    private HashSet<string> _uploaded = new(StringComparer.Ordinal);

    /// <summary>The segments the last pass had to delete before the office had them (the free-space floor left no choice).</summary>
    public IReadOnlyList<string> DeletedBeforeUpload { get; private set; } = [];

    /// <summary>Finished segments removed because nothing in them could be played.</summary>
    public long Damaged => Interlocked.Read(ref _damaged);

    /// <summary>
    /// Whether a finished MPEG-TS segment has something to play: at least a few whole 188-byte packets starting with the
    /// sync byte. (A segment cut short by a killed encoder still plays up to the cut: TS is made for that.)
    /// </summary>
    internal static bool Playable(string path, long length)
    {
        const int packet = 188;
        if (length < 4 * packet) return false;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> head = stackalloc byte[3 * packet + 1];
            stream.ReadExactly(head);
            return head[0] == 0x47 && head[packet] == 0x47 && head[2 * packet] == 0x47 && head[3 * packet] == 0x47;
        }
        catch (FileNotFoundException)
        {
            return true; // gone meanwhile: nothing to remove
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true; // cannot tell: keep it
        }
    }

    /// <summary>Rows still listed as recorded (or uploaded) whose file is gone are marked deleted.</summary>
    private void MarkGone()
    {
        var gone = Query("status IN ('recorded', 'uploaded')").Where(r => !File.Exists(r.Path)).Select(r => r.Path).ToList();
        foreach (var path in gone) SetStatus(path, "deleted");
    }

    /// <summary>Finished segments not yet confirmed uploaded or kept.</summary>
    public IReadOnlyList<RecordingSegment> Pending() => Query("status = 'recorded'");

    public IReadOnlyList<RecordingSegment> All() => Query("1 = 1");

    /// <summary>A segment whose lesson the office has: listed as uploaded (listed now if no pass has listed it yet).</summary>
    public void MarkUploaded(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists) return;
        database.Write(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                INSERT INTO recording_segments (path, lesson_id, bytes, finished_at, status, changed_at)
                VALUES ($path, $lesson, $bytes, $finished, 'uploaded', $now)
                ON CONFLICT (path) DO UPDATE SET status = 'uploaded', changed_at = $now WHERE status = 'recorded';
                """;
            Bind(cmd, file.FullName, file.Name, file.Length, file.LastWriteTimeUtc);
            cmd.ExecuteNonQuery();
        });
    }

    public void MarkKept(string path)
    {
        SetStatus(path, "kept");
        _kept.Add(path);
    }

    /// <summary>Recording files held open by the running encoders or written within <see cref="RecentlyWritten"/>.</summary>
    public HashSet<string> OpenSegments()
    {
        var open = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pid in encoderPids())
        {
            try
            {
                foreach (var fd in System.IO.Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
                {
                    if (new FileInfo(fd).LinkTarget is { } target) open.Add(target);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the process has gone; its files are finished
            }
        }
        var recent = time.GetUtcNow() - RecentlyWritten;
        foreach (var f in Segments().Where(f => f.LastWriteUtc > recent.UtcDateTime)) open.Add(f.FullName);
        return open;
    }

    /// <summary>The recording files, oldest first (by modification time, then name).</summary>
    private List<SegmentFile> Segments()
    {
        var list = new List<SegmentFile>();
        foreach (var f in new DirectoryInfo(options.Directory).EnumerateFiles("*.ts"))
        {
            try
            {
                list.Add(new SegmentFile(f.FullName, f.Name, f.Length, f.LastWriteTimeUtc));
            }
            catch (FileNotFoundException)
            {
                // gone while listing
            }
        }
        return list.OrderBy(f => f.LastWriteUtc).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>A recording file as it was when the pass looked (the pass works on this, not on the changing file).</summary>
    private sealed record SegmentFile(string FullName, string Name, long Length, DateTime LastWriteUtc);

    private void Register(IEnumerable<SegmentFile> finished) => database.Write(c =>
    {
        using var tx = c.BeginTransaction();
        foreach (var f in finished)
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO recording_segments (path, lesson_id, bytes, finished_at, status, changed_at)
                VALUES ($path, $lesson, $bytes, $finished, 'recorded', $now)
                ON CONFLICT (path) DO UPDATE SET bytes = excluded.bytes WHERE status <> 'deleted';
                """;
            Bind(cmd, f.FullName, f.Name, f.Length, f.LastWriteUtc);
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    });

    /// <summary>A segment's row as the listing and the upload write it: path, lesson, size, when it was finished, now.</summary>
    private void Bind(SqliteCommand cmd, string path, string name, long bytes, DateTime lastWriteUtc)
    {
        cmd.Parameters.AddWithValue("$path", path);
        cmd.Parameters.AddWithValue("$lesson", LessonOf(name));
        cmd.Parameters.AddWithValue("$bytes", bytes);
        cmd.Parameters.AddWithValue("$finished", Stamp(new DateTimeOffset(lastWriteUtc, TimeSpan.Zero)));
        cmd.Parameters.AddWithValue("$now", Stamp(time.GetUtcNow()));
    }

    /// <summary>Segments are named <c>{lesson}-{yyyyMMdd}-{HHmmss}.ts</c>; the lesson id is what precedes the two stamps.</summary>
    internal static string LessonOf(string fileName)
    {
        var stem = System.IO.Path.GetFileNameWithoutExtension(fileName);
        var parts = stem.Split('-');
        return parts.Length > 2 ? string.Join('-', parts[..^2]) : stem;
    }

    private HashSet<string> KeptPaths() => Query("status = 'kept'").Select(s => s.Path).ToHashSet(StringComparer.Ordinal);

    private void SetStatus(string path, string status) => database.Write(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE recording_segments SET status = $status, changed_at = $now WHERE path = $path";
        cmd.Parameters.AddWithValue("$status", status);
        cmd.Parameters.AddWithValue("$now", Stamp(time.GetUtcNow()));
        cmd.Parameters.AddWithValue("$path", path);
        cmd.ExecuteNonQuery();
    });

    private List<RecordingSegment> Query(string where)
    {
        using var c = database.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT path, lesson_id, bytes, finished_at, status FROM recording_segments WHERE {where} ORDER BY finished_at, path";
        using var r = cmd.ExecuteReader();
        var list = new List<RecordingSegment>();
        while (r.Read())
            list.Add(new RecordingSegment(r.GetString(0), r.GetString(1), r.GetInt64(2),
                DateTimeOffset.Parse(r.GetString(3), CultureInfo.InvariantCulture), r.GetString(4)));
        return list;
    }

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Recording segment {Path} has nothing playable ({Bytes} bytes): removed, not listed")]
    private partial void LogDamaged(string path, long bytes);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning, Message = "Recording bookkeeping deferred: {Reason}")]
    private partial void LogBookkeepingFailed(string reason);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Cannot delete recording {Path}: {Reason}")]
    private partial void LogCannotDelete(string path, string reason);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information, Message = "Recording retention deleted {Count} segment(s), oldest first; {Total} bytes remain")]
    private partial void LogDeleted(int count, long total);
}
