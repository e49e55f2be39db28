using EdgeAgent.Kernel;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.State;

/// <summary>
/// The agent's durable state: one SQLite file (WAL, synchronous=FULL) in the state directory. Every capability that
/// must survive a restart keeps its tables here; <see cref="StateMigrations"/> creates them. Connections are
/// short-lived and pooled: open one per unit of work with <see cref="Open"/>; writes go through <see cref="Write"/>.
/// <para>
/// A full disk must not stop the agent (the recordings usually share the volume). Beside the database lies a reserve
/// file (<see cref="ReserveBytes"/>) that is given back when SQLite finds no room: the write is tried once more and
/// mostly succeeds, while retention frees recordings. Space is "running out" from then until
/// <see cref="RestoreReserve"/> can lay the reserve down again. A write that still fails throws
/// <see cref="StateFullException"/>: the callers that hold data the office must get keep it in memory until it fits.
/// </para>
/// </summary>
public sealed partial class StateDatabase
{
    /// <summary>The room SQLite gets back when the disk fills: a few thousand outbox rows and lesson saves.</summary>
    public const long ReserveBytes = 4 * 1024 * 1024;

    private readonly ILogger<StateDatabase> _log;
    private readonly string _connectionString;
    private readonly Lock _reserveGate = new();

    public StateDatabase(string directory, ILogger<StateDatabase> log)
    {
        _log = log;
        Directory.CreateDirectory(directory);
        FilePath = Path.Combine(directory, "state.db");
        ReservePath = Path.Combine(directory, "state.reserve");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string FilePath { get; }
    public string ReservePath { get; }

    /// <summary>Schema version after <see cref="Migrate"/>.</summary>
    public int Version { get; private set; }

    /// <summary>True while the reserve is given back: the volume has run out of room and not recovered yet.</summary>
    public bool SpaceRunningOut => !File.Exists(ReservePath);

    /// <summary>Raised (with the reason) when a write found no room and the reserve was given back, or no reserve was left.</summary>
    public event Action<string>? OutOfSpace;

    public SqliteConnection Open()
    {
        try
        {
            return OpenOnce();
        }
        catch (SqliteException e) when (DiskSpace.IsFull(e) && GiveBackReserve(e.Message))
        {
            return OpenOnce();
        }
    }

    private SqliteConnection OpenOnce()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // FULL: a lesson record acknowledged to the outbox survives a power cut, which rural boxes get.
            Execute(connection, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One unit of work that writes. When the disk is full the reserve is given back and the work tried once more;
    /// if it still fails the caller gets <see cref="StateFullException"/> and keeps what it wanted to write.
    /// </summary>
    public T Write<T>(Func<SqliteConnection, T> work)
    {
        try
        {
            using var connection = Open();
            return work(connection);
        }
        catch (SqliteException e) when (DiskSpace.IsFull(e))
        {
            if (!GiveBackReserve(e.Message)) throw new StateFullException(e.Message, e);
            try
            {
                using var connection = Open();
                return work(connection);
            }
            catch (SqliteException again) when (DiskSpace.IsFull(again))
            {
                OutOfSpace?.Invoke(again.Message);
                throw new StateFullException(again.Message, again);
            }
        }
    }

    public void Write(Action<SqliteConnection> work) => Write(c =>
    {
        work(c);
        return 0;
    });

    /// <summary>Gives the reserve back to the volume; false when there was none left to give.</summary>
    private bool GiveBackReserve(string reason)
    {
        lock (_reserveGate)
        {
            if (!File.Exists(ReservePath))
            {
                OutOfSpace?.Invoke(reason);
                return false;
            }
            try
            {
                File.Delete(ReservePath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
        LogReserveGiven(reason);
        OutOfSpace?.Invoke(reason);
        return true;
    }

    /// <summary>
    /// Lays the reserve down when the volume has room for it and some to spare (<paramref name="headroom"/>); returns
    /// whether it is in place. Written with zeros, so the space is really taken (not a sparse file).
    /// </summary>
    public bool RestoreReserve(long headroom)
    {
        lock (_reserveGate)
        {
            if (File.Exists(ReservePath)) return true;
            if (DiskSpace.Free(Path.GetDirectoryName(FilePath)!) is not { } free || free < ReserveBytes + headroom) return false;
            var temp = ReservePath + ".new";
            try
            {
                using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    var block = new byte[64 * 1024];
                    for (long written = 0; written < ReserveBytes; written += block.Length) file.Write(block);
                    file.Flush(flushToDisk: true);
                }
                File.Move(temp, ReservePath, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                try { File.Delete(temp); } catch (Exception x) when (x is IOException or UnauthorizedAccessException) { }
                return false;
            }
        }
        LogReserveRestored();
        return true;
    }

    /// <summary>
    /// Switches to WAL and applies every migration newer than the file's version, each in its own transaction. On a full
    /// volume the reserve is given back first, so that an agent that stopped on a full disk starts again.
    /// </summary>
    public void Migrate(IReadOnlyList<StateMigration>? migrations = null)
    {
        migrations ??= StateMigrations.All;
        if (File.Exists(ReservePath) && DiskSpace.Free(Path.GetDirectoryName(FilePath)!) is { } free && free < ReserveBytes / 4)
            GiveBackReserve($"only {free / 1024} KiB free on the state volume at start");
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);");

        using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
            Version = Convert.ToInt32(read.ExecuteScalar());
        }
        var newest = migrations.Count == 0 ? 0 : migrations.Max(m => m.Version);
        if (Version > newest)
            throw new InvalidOperationException($"state database {FilePath} has schema version {Version}, newer than this agent knows ({newest}); refusing to touch it (downgrade?)");

        foreach (var migration in migrations.Where(m => m.Version > Version).OrderBy(m => m.Version))
        {
            using var tx = connection.BeginTransaction();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = migration.Sql;
                command.ExecuteNonQuery();
            }
            using (var record = connection.CreateCommand())
            {
                record.Transaction = tx;
                record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t);";
                record.Parameters.AddWithValue("$v", migration.Version);
                record.Parameters.AddWithValue("$n", migration.Name);
                record.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O"));
                record.ExecuteNonQuery();
            }
            tx.Commit();
            Version = migration.Version;
            LogMigrated(migration.Version, migration.Name);
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "State database migrated to version {Version} ({Name})")]
    private partial void LogMigrated(int version, string name);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "The state volume is full ({Reason}): the state database's reserve is given back")]
    private partial void LogReserveGiven(string reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "The state database's reserve is in place again")]
    private partial void LogReserveRestored();
}

/// <summary>One schema step. Versions only grow; a shipped step is never edited, a new one is appended.</summary>
public sealed record StateMigration(int Version, string Name, string Sql);

/// <summary>The state database could not take a write: the disk is full even after the reserve was given back.</summary>
public sealed class StateFullException(string message, SqliteException inner)
    : SqliteException($"the state database cannot be written (disk full): {message}", inner.SqliteErrorCode);
