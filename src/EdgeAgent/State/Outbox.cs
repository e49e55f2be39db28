using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.State;

/// <summary>What an outbox message is; decides the drop policy.</summary>
public enum OutboxKind
{
    /// <summary>Alerts: when the outbox is full the oldest are dropped first, and counted.</summary>
    Event,
    /// <summary>Lesson records: never dropped.</summary>
    Lesson,
    /// <summary>Compliance reports: never dropped.</summary>
    Compliance,
    /// <summary>Programme tallies (retained; the newest wins): never dropped.</summary>
    Tallies,
    /// <summary>The room's update status (retained; the newest wins): never dropped.</summary>
    Update,
}

public sealed record OutboxMessage(long Seq, string Id, OutboxKind Kind, string Topic, byte[] Payload, bool Retain);

/// <summary>
/// Messages that must reach the office, stored in the state database first and deleted only after the broker
/// acknowledged them (PUBACK). Delivered in order; each carries a unique id so the office can drop the
/// duplicates that at-least-once delivery allows. Events are bounded (oldest dropped first, counted in
/// <see cref="Dropped"/>); lesson records and compliance reports are never dropped.
/// <para>
/// When the state database cannot take a message (the disk is full even after its reserve), the message waits in
/// memory (<see cref="InMemory"/>, events bounded as on disk) and is still delivered; the waiting messages move to the
/// database, in order, as soon as it takes writes again, before any newer one. The outbox never throws at a caller.
/// </para>
/// </summary>
public sealed partial class Outbox
{
    private readonly Channel<bool> _work = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _write = new();
    private readonly StateDatabase _database;
    private readonly int _maxEvents;
    private readonly TimeProvider _time;
    private readonly ILogger<Outbox> _log;
    private readonly List<OutboxMessage> _memory = [];
    private long _nextMemorySeq = -1;
    private long _count;
    private long _dropped;
    private bool _figuresLoaded;

    public Outbox(StateDatabase database, int maxEvents, TimeProvider time, ILogger<Outbox> log)
    {
        _database = database;
        _maxEvents = maxEvents;
        _time = time;
        _log = log;
    }

    /// <summary>
    /// Figures kept in memory after one read, so that ping and health never wait on the database. Read on first
    /// use, not in the constructor: the host builds services before the state database is migrated.
    /// </summary>
    private void LoadFigures()
    {
        if (_figuresLoaded) return;
        try
        {
            using var connection = _database.Open();
            using var q = Command(connection, null, "SELECT (SELECT COUNT(*) FROM outbox), COALESCE((SELECT value FROM counters WHERE name = 'outbox_events_dropped'), 0);");
            using var r = q.ExecuteReader();
            r.Read();
            _count = r.GetInt64(0);
            _dropped = r.GetInt64(1);
            _figuresLoaded = true;
        }
        catch (SqliteException)
        {
            // Unreadable for now (a full disk at start): counted from zero, read again next time.
        }
    }

    /// <summary>A new message id: time-ordered (UUID v7), so ids also sort by creation.</summary>
    public static string NewId() => Guid.CreateVersion7().ToString("N");

    public OutboxMessage Enqueue(OutboxKind kind, string topic, string id, byte[] payload, bool retain = false)
    {
        OutboxMessage message;
        var dropped = 0;
        lock (_write)
        {
            LoadFigures();
            MoveMemoryToDatabase();
            if (_memory.Count == 0)
            {
                try
                {
                    (message, dropped) = Insert(kind, topic, id, payload, retain);
                }
                catch (SqliteException e)
                {
                    message = Hold(kind, topic, id, payload, retain, e.Message, ref dropped);
                }
            }
            else message = Hold(kind, topic, id, payload, retain, "older messages still wait in memory", ref dropped);
        }
        if (dropped > 0) LogDropped(dropped, _maxEvents);
        _work.Writer.TryWrite(true);
        return message;
    }

    private (OutboxMessage Message, int Dropped) Insert(OutboxKind kind, string topic, string id, byte[] payload, bool retain) =>
        _database.Write(connection =>
        {
            var dropped = 0;
            using var tx = connection.BeginTransaction();
            if (kind == OutboxKind.Event)
            {
                using var count = Command(connection, tx, "SELECT COUNT(*) FROM outbox WHERE kind = 'event';");
                var events = Convert.ToInt64(count.ExecuteScalar());
                if (events >= _maxEvents)
                {
                    dropped = (int)(events - _maxEvents + 1);
                    using var drop = Command(connection, tx,
                        "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE kind = 'event' ORDER BY seq LIMIT $n);");
                    drop.Parameters.AddWithValue("$n", dropped);
                    drop.ExecuteNonQuery();
                    using var counter = Command(connection, tx,
                        "INSERT INTO counters (name, value) VALUES ('outbox_events_dropped', $n) ON CONFLICT(name) DO UPDATE SET value = value + $n;");
                    counter.Parameters.AddWithValue("$n", dropped);
                    counter.ExecuteNonQuery();
                }
            }
            using var insert = Command(connection, tx,
                "INSERT INTO outbox (id, kind, topic, payload, retain, created_at) VALUES ($id, $kind, $topic, $payload, $retain, $at) ON CONFLICT (id) DO NOTHING RETURNING seq;");
            insert.Parameters.AddWithValue("$id", id);
            insert.Parameters.AddWithValue("$kind", kind.ToString().ToLowerInvariant());
            insert.Parameters.AddWithValue("$topic", topic);
            insert.Parameters.AddWithValue("$payload", payload);
            insert.Parameters.AddWithValue("$retain", retain ? 1 : 0);
            insert.Parameters.AddWithValue("$at", _time.GetUtcNow().ToString("O"));
            var inserted = insert.ExecuteScalar();
            tx.Commit();
            var added = inserted is null or DBNull ? 0 : 1; // a message already queued (moved from memory twice) stays once
            _count += added - dropped;
            _dropped += dropped;
            return (new OutboxMessage(inserted is long seq ? seq : 0, id, kind, topic, payload, retain), dropped);
        });

    /// <summary>Keeps a message in memory (the database cannot take it now); events stay bounded there too.</summary>
    private OutboxMessage Hold(OutboxKind kind, string topic, string id, byte[] payload, bool retain, string why, ref int dropped)
    {
        if (_memory.Count == 0) LogHolding(why);
        if (kind == OutboxKind.Event)
        {
            var events = _memory.Where(m => m.Kind == OutboxKind.Event).ToList();
            for (var i = 0; i <= events.Count - _maxEvents; i++)
            {
                _memory.Remove(events[i]);
                dropped++;
                _dropped++;
            }
        }
        var message = new OutboxMessage(_nextMemorySeq--, id, kind, topic, payload, retain);
        _memory.Add(message);
        return message;
    }

    /// <summary>Moves what waits in memory into the database, oldest first, while it takes writes.</summary>
    private void MoveMemoryToDatabase()
    {
        while (_memory.Count > 0)
        {
            var m = _memory[0];
            try
            {
                Insert(m.Kind, m.Topic, m.Id, m.Payload, m.Retain);
            }
            catch (SqliteException)
            {
                return;
            }
            _memory.RemoveAt(0);
            if (_memory.Count == 0) LogHeldStored();
        }
    }

    /// <summary>The oldest messages, in order: those in the database, then those waiting in memory.</summary>
    public IReadOnlyList<OutboxMessage> Peek(int max)
    {
        lock (_write)
        {
            MoveMemoryToDatabase();
            var list = new List<OutboxMessage>();
            try
            {
                using var connection = _database.Open();
                using var q = Command(connection, null, "SELECT seq, id, kind, topic, payload, retain FROM outbox ORDER BY seq LIMIT $n;");
                q.Parameters.AddWithValue("$n", max);
                using var r = q.ExecuteReader();
                while (r.Read())
                    list.Add(new OutboxMessage(r.GetInt64(0), r.GetString(1), Enum.Parse<OutboxKind>(r.GetString(2), ignoreCase: true),
                        r.GetString(3), (byte[])r[4], r.GetInt64(5) != 0));
            }
            catch (SqliteException)
            {
                // unreadable now: what is in memory still goes out
            }
            list.AddRange(_memory.Take(Math.Max(0, max - list.Count)));
            return list;
        }
    }

    /// <summary>Called after the broker acknowledged the message.</summary>
    public void Delete(long seq)
    {
        lock (_write)
        {
            if (seq < 0)
            {
                _memory.RemoveAll(m => m.Seq == seq);
                return;
            }
            LoadFigures();
            try
            {
                _count -= _database.Write(connection =>
                {
                    using var d = Command(connection, null, "DELETE FROM outbox WHERE seq = $s;");
                    d.Parameters.AddWithValue("$s", seq);
                    return d.ExecuteNonQuery();
                });
            }
            catch (SqliteException)
            {
                // Not deleted: the message goes out again later, and the office drops the duplicate by its id.
            }
        }
    }

    /// <summary>Messages waiting for the broker.</summary>
    public long Count { get { lock (_write) { LoadFigures(); return _count + _memory.Count; } } }

    /// <summary>Messages held in memory because the state database cannot be written (a full disk).</summary>
    public int InMemory { get { lock (_write) return _memory.Count; } }

    /// <summary>Events dropped because the outbox was full, since the database was created.</summary>
    public long Dropped { get { lock (_write) { LoadFigures(); return _dropped; } } }

    /// <summary>Completes when something was enqueued since the last call (or at once the first time).</summary>
    public ValueTask<bool> WaitForWorkAsync(CancellationToken ct) => _work.Reader.WaitToReadAsync(ct);

    public void ConsumeSignal() => _work.Reader.TryRead(out _);

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql)
    {
        var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Outbox full: dropped the {Count} oldest event(s) to stay within {Max} events")]
    private partial void LogDropped(int count, int max);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Outbox: the state database cannot take messages ({Reason}); they wait in memory and are still delivered")]
    private partial void LogHolding(string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Outbox: the messages that waited in memory are stored")]
    private partial void LogHeldStored();
}
