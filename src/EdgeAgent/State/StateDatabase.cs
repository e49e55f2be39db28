using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.State;

/// <summary>
/// The agent's durable state: one SQLite file (WAL, synchronous=FULL) in the state directory. Every
/// capability that must survive a restart keeps its tables here; <see cref="StateMigrations"/> creates them.
/// Connections are short-lived and pooled: open one per unit of work with <see cref="Open"/>.
/// </summary>
public sealed partial class StateDatabase
{
    private readonly ILogger<StateDatabase> _log;
    private readonly string _connectionString;

    public StateDatabase(string directory, ILogger<StateDatabase> log)
    {
        _log = log;
        Directory.CreateDirectory(directory);
        FilePath = Path.Combine(directory, "state.db");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string FilePath { get; }

    /// <summary>Schema version after <see cref="Migrate"/>.</summary>
    public int Version { get; private set; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // FULL: a lesson record acknowledged to the outbox survives a power cut, which rural boxes get.
        Execute(connection, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;");
        return connection;
    }

    /// <summary>Switches to WAL and applies every migration newer than the file's version, each in its own transaction.</summary>
    public void Migrate(IReadOnlyList<StateMigration>? migrations = null)
    {
        migrations ??= StateMigrations.All;
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
}

/// <summary>One schema step. Versions only grow; a shipped step is never edited, a new one is appended.</summary>
public sealed record StateMigration(int Version, string Name, string Sql);
