using System.Globalization;
using EdgeAgent.State;
using Microsoft.Data.Sqlite;

namespace EdgeAgent.Recordings;

/// <summary>A lesson on its way to the office, as the queue holds it.</summary>
/// <param name="State"><c>joining</c> (its segments not yet one file), <c>queued</c> (a file waiting to go), <c>uploaded</c>, or <c>empty</c> (nothing readable was recorded).</param>
public sealed record UploadItem(
    string Name, string LessonId, string Stream, string RecordJson, DateTimeOffset RecordedFrom, DateTimeOffset RecordedUntil, string State,
    string? Mp4, long? Bytes, string? Sha256, IReadOnlyList<string> Segments, int Skipped, int Attempts, DateTimeOffset NextAt, DateTimeOffset QueuedAt,
    DateTimeOffset? UploadedAt, string? Url, string? Error);

/// <summary>What waits to go, for <c>ping</c>, <c>health</c> and <c>ctl status</c>.</summary>
public sealed record UploadBacklog(int Files, long Bytes, DateTimeOffset? OldestQueuedAt);

/// <summary>
/// The durable upload queue in the state database: a lesson is written here when it ends (before anything is joined or
/// sent), so that an agent restarted at any point finds it again; it leaves the queue only as <c>uploaded</c>.
/// </summary>
public sealed class UploadQueue(StateDatabase database)
{
    public const string Joining = "joining", Queued = "queued", Uploaded = "uploaded", Empty = "empty";

    /// <summary>Adds a lesson that just ended (a lesson already in the queue stays as it is: at least once, never twice).</summary>
    public bool Add(string name, string lessonId, string stream, string recordJson, DateTimeOffset from, DateTimeOffset until, DateTimeOffset now) =>
        database.Write(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                INSERT INTO uploads (name, lesson_id, stream, record_json, recorded_from, recorded_until, state, next_at, queued_at)
                VALUES ($name, $lesson, $stream, $json, $from, $until, 'joining', $now, $now)
                ON CONFLICT (name) DO NOTHING
                """;
            cmd.Parameters.AddWithValue("$name", name);
            cmd.Parameters.AddWithValue("$lesson", lessonId);
            cmd.Parameters.AddWithValue("$stream", stream);
            cmd.Parameters.AddWithValue("$json", recordJson);
            cmd.Parameters.AddWithValue("$from", Stamp(from));
            cmd.Parameters.AddWithValue("$until", Stamp(until));
            cmd.Parameters.AddWithValue("$now", Stamp(now));
            return cmd.ExecuteNonQuery() == 1;
        });

    /// <summary>The next lesson to work on now: one to join first, then the oldest file due to go.</summary>
    public UploadItem? Next(DateTimeOffset now) =>
        Query("state = 'joining' OR (state = 'queued' AND next_at <= $now) ORDER BY state = 'queued', queued_at LIMIT 1", ("$now", Stamp(now))).FirstOrDefault();

    public UploadItem? Find(string name) => Query("name = $name", ("$name", name)).FirstOrDefault();

    public IReadOnlyList<UploadItem> All() => Query("1 = 1 ORDER BY queued_at");

    /// <summary>Its segments joined: the file waits to go.</summary>
    public void Joined(string name, string mp4, long bytes, string sha256, IReadOnlyList<string> segments, int skipped) => Update(name, """
        state = 'queued', mp4 = $mp4, bytes = $bytes, sha256 = $sha, segments = $segments, skipped = $skipped
        """, ("$mp4", mp4), ("$bytes", bytes), ("$sha", sha256), ("$segments", string.Join('\n', segments)), ("$skipped", skipped));

    /// <summary>Nothing readable was recorded: nothing to send.</summary>
    public void NothingRecorded(string name, int skipped) => Update(name, "state = 'empty', skipped = $skipped", ("$skipped", skipped));

    public void MarkUploaded(string name, string url, DateTimeOffset now) =>
        Update(name, "state = 'uploaded', uploaded_at = $now, url = $url, error = NULL", ("$now", Stamp(now)), ("$url", url));

    /// <summary>A failed try: counted, tried again at <paramref name="nextAt"/>.</summary>
    public void Failed(string name, string error, DateTimeOffset nextAt) =>
        Update(name, "attempts = attempts + 1, error = $error, next_at = $next", ("$error", error), ("$next", Stamp(nextAt)));

    public UploadBacklog Backlog()
    {
        using var c = database.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*), COALESCE(SUM(bytes), 0), MIN(queued_at) FROM uploads WHERE state IN ('joining', 'queued')";
        using var r = cmd.ExecuteReader();
        r.Read();
        return new UploadBacklog(r.GetInt32(0), r.GetInt64(1), r.IsDBNull(2) ? null : Parse(r.GetString(2)));
    }

    private void Update(string name, string set, params (string Name, object Value)[] values) => database.Write(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"UPDATE uploads SET {set} WHERE name = $name";
        cmd.Parameters.AddWithValue("$name", name);
        foreach (var (n, v) in values) cmd.Parameters.AddWithValue(n, v);
        cmd.ExecuteNonQuery();
    });

    private List<UploadItem> Query(string where, params (string Name, object Value)[] values)
    {
        using var c = database.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            SELECT name, lesson_id, stream, record_json, recorded_from, recorded_until, state, mp4, bytes, sha256, segments, skipped, attempts,
                   next_at, queued_at, uploaded_at, url, error
            FROM uploads WHERE {where}
            """;
        foreach (var (n, v) in values) cmd.Parameters.AddWithValue(n, v);
        using var r = cmd.ExecuteReader();
        var list = new List<UploadItem>();
        while (r.Read())
            list.Add(new UploadItem(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Parse(r.GetString(4)), Parse(r.GetString(5)), r.GetString(6),
                Text(r, 7), r.IsDBNull(8) ? null : r.GetInt64(8), Text(r, 9), Text(r, 10) is { Length: > 0 } s ? s.Split('\n') : [], r.GetInt32(11), r.GetInt32(12),
                Parse(r.GetString(13)), Parse(r.GetString(14)), Text(r, 15) is { } u ? Parse(u) : null, Text(r, 16), Text(r, 17)));
        return list;
    }

    private static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
