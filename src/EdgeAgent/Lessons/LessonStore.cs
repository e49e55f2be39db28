using System.Globalization;
using System.Text.Json;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Topics;
using EdgeAgent.State;

namespace EdgeAgent.Lessons;

/// <summary>
/// Lesson history in the state database: finished records (stored first, then queued on <c>lessons</c> through the
/// outbox; a record stored but not yet queued when the agent died is queued at the next start) and the one live lesson.
/// </summary>
public sealed class LessonStore(StateDatabase database, TimeProvider time, Outbox? outbox = null, RoomTopics? topics = null)
{
    public void Save(LessonRecord record)
    {
        var json = JsonSerializer.Serialize(record, ContractJson.Wire.LessonRecord);
        database.Write(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                INSERT INTO lesson_records (id, booking_id, status, form, subject, actual_start, json, created_at)
                VALUES ($id, $booking, $status, $form, $subject, $start, $json, $now)
                ON CONFLICT (id) DO NOTHING;
                """;
            cmd.Parameters.AddWithValue("$id", record.Id);
            cmd.Parameters.AddWithValue("$booking", (object?)record.BookingId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$status", record.Status);
            cmd.Parameters.AddWithValue("$form", record.Form);
            cmd.Parameters.AddWithValue("$subject", (object?)record.Subject ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$start", (object?)Stamp(record.ActualStart ?? record.PlannedStart) ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$json", json);
            cmd.Parameters.AddWithValue("$now", Stamp(time.GetUtcNow()));
            cmd.ExecuteNonQuery();
        });
        QueuePending();
    }

    /// <summary>Queues every stored record not yet in the outbox (the outbox drops duplicates by id at the office).</summary>
    public int QueuePending()
    {
        if (outbox is null || topics is null) throw new InvalidOperationException("this lesson store was opened read-only (no outbox)");
        using var c = database.Open();
        var pending = new List<(string Id, string Json)>();
        using (var q = c.CreateCommand())
        {
            q.CommandText = "SELECT id, json FROM lesson_records WHERE queued = 0 ORDER BY created_at";
            using var r = q.ExecuteReader();
            while (r.Read()) pending.Add((r.GetString(0), r.GetString(1)));
        }
        foreach (var (id, json) in pending)
        {
            outbox.Enqueue(OutboxKind.Lesson, topics.Lessons, id, System.Text.Encoding.UTF8.GetBytes(json));
            // Not marked queued (a full disk): it is queued again later, and the outbox keeps one copy of an id.
            database.Write(w =>
            {
                using var done = w.CreateCommand();
                done.CommandText = "UPDATE lesson_records SET queued = 1 WHERE id = $id";
                done.Parameters.AddWithValue("$id", id);
                done.ExecuteNonQuery();
            });
        }
        return pending.Count;
    }

    public IReadOnlyList<LessonRecord> Records(DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        using var c = database.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT json FROM lesson_records WHERE ($from IS NULL OR actual_start >= $from) AND ($to IS NULL OR actual_start < $to) ORDER BY actual_start, id";
        cmd.Parameters.AddWithValue("$from", (object?)Stamp(from) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$to", (object?)Stamp(to) ?? DBNull.Value);
        using var r = cmd.ExecuteReader();
        var list = new List<LessonRecord>();
        while (r.Read()) list.Add(JsonSerializer.Deserialize(r.GetString(0), ContractJson.Wire.LessonRecord)!);
        return list;
    }

    public bool HasRecord(string id)
    {
        using var c = database.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM lesson_records WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    public LiveLesson? LoadLive()
    {
        using var c = database.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT json FROM live_lesson WHERE slot = 1";
        return cmd.ExecuteScalar() is string json ? JsonSerializer.Deserialize(json, LessonJson.Default.LiveLesson) : null;
    }

    public void SaveLive(LiveLesson? live) => database.Write(c =>
    {
        using var cmd = c.CreateCommand();
        if (live is null) cmd.CommandText = "DELETE FROM live_lesson";
        else
        {
            cmd.CommandText = "INSERT INTO live_lesson (slot, json) VALUES (1, $json) ON CONFLICT (slot) DO UPDATE SET json = excluded.json";
            cmd.Parameters.AddWithValue("$json", JsonSerializer.Serialize(live, LessonJson.Default.LiveLesson));
        }
        cmd.ExecuteNonQuery();
    });

    /// <summary>The tallies, retained on <c>tallies</c> through the outbox (the newest wins).</summary>
    public void PublishTallies(Tallies tallies)
    {
        if (outbox is null || topics is null) throw new InvalidOperationException("this lesson store was opened read-only (no outbox)");
        outbox.Enqueue(OutboxKind.Tallies, topics.Tallies, Outbox.NewId(), JsonSerializer.SerializeToUtf8Bytes(tallies, ContractJson.Wire.Tallies), retain: true);
    }

    /// <summary>
    /// Since when this room's lessons are accounted for: the first time the lessons floor ran on this state database
    /// (kept in it). A booked period that ended before then is no missed lesson: the room was not installed yet.
    /// </summary>
    public DateTimeOffset LessonsSince(DateTimeOffset now)
    {
        if (_since is { } known) return known;
        try
        {
            using var c = database.Open();
            using var read = c.CreateCommand();
            read.CommandText = "SELECT value FROM counters WHERE name = 'lessons_since'";
            if (read.ExecuteScalar() is long seconds) return (_since = DateTimeOffset.FromUnixTimeSeconds(seconds)).Value;
            database.Write(w =>
            {
                using var write = w.CreateCommand();
                write.CommandText = "INSERT INTO counters (name, value) VALUES ('lessons_since', $v) ON CONFLICT (name) DO NOTHING";
                write.Parameters.AddWithValue("$v", now.ToUnixTimeSeconds());
                write.ExecuteNonQuery();
            });
            return (_since = now).Value;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return now; // not known yet; asked again at the next pass
        }
    }

    private DateTimeOffset? _since;

    /// <summary>The last accepted bookings document from MQTT, so that a restart without the broker still knows the lessons.</summary>
    public (string Source, byte[] Json)? LoadBookingsDocument()
    {
        using var c = database.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT source, json FROM bookings_document WHERE slot = 1";
        using var r = cmd.ExecuteReader();
        return r.Read() ? (r.GetString(0), (byte[])r.GetValue(1)) : null;
    }

    public void SaveBookingsDocument(string source, byte[] json) => database.Write(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO bookings_document (slot, source, json, received_at) VALUES (1, $source, $json, $now)
            ON CONFLICT (slot) DO UPDATE SET source = excluded.source, json = excluded.json, received_at = excluded.received_at
            """;
        cmd.Parameters.AddWithValue("$source", source);
        cmd.Parameters.AddWithValue("$json", json);
        cmd.Parameters.AddWithValue("$now", Stamp(time.GetUtcNow()));
        cmd.ExecuteNonQuery();
    });

    private static string? Stamp(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
