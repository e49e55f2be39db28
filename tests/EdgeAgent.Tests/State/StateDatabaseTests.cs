using EdgeAgent.State;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.State;

public class StateDatabaseTests
{
    private static StateDatabase Create(TempDir dir) => new(Path.Combine(dir.Path, "state"), NullLogger<StateDatabase>.Instance);

    private static object? Scalar(StateDatabase db, string sql)
    {
        using var c = db.Open();
        using var q = c.CreateCommand();
        q.CommandText = sql;
        return q.ExecuteScalar();
    }

    [Fact]
    public void Migrate_creates_the_schema_in_wal_mode_and_is_idempotent()
    {
        using var dir = new TempDir();
        var db = Create(dir);
        db.Migrate();
        Assert.Equal(StateMigrations.All.Max(m => m.Version), db.Version);
        Assert.Equal("wal", Scalar(db, "PRAGMA journal_mode;"));
        Assert.Equal(2L, Scalar(db, "PRAGMA synchronous;")); // FULL
        Assert.Equal(0L, Scalar(db, "SELECT COUNT(*) FROM agent_starts;"));

        var again = Create(dir);
        again.Migrate();
        Assert.Equal(db.Version, again.Version);
        Assert.Equal((long)StateMigrations.All.Count, Scalar(again, "SELECT COUNT(*) FROM schema_migrations;"));
    }

    [Fact]
    public void Only_newer_steps_are_applied_on_upgrade()
    {
        using var dir = new TempDir();
        var v1 = new[] { new StateMigration(1, "one", "CREATE TABLE a (x INTEGER);") };
        var db = Create(dir);
        db.Migrate(v1);
        Scalar(db, "INSERT INTO a VALUES (42);");

        var v2 = v1.Append(new StateMigration(2, "two", "ALTER TABLE a ADD COLUMN y TEXT;")).ToList();
        db.Migrate(v2);
        Assert.Equal(2, db.Version);
        Assert.Equal(42L, Scalar(db, "SELECT x FROM a;"));
    }

    [Fact]
    public void A_failing_step_rolls_back_and_leaves_the_version()
    {
        using var dir = new TempDir();
        var db = Create(dir);
        db.Migrate([new StateMigration(1, "one", "CREATE TABLE a (x INTEGER);")]);
        var broken = new[]
        {
            new StateMigration(1, "one", "CREATE TABLE a (x INTEGER);"),
            new StateMigration(2, "broken", "CREATE TABLE b (y INTEGER); THIS IS NOT SQL;"),
        };
        Assert.Throws<SqliteException>(() => db.Migrate(broken));
        var reopened = Create(dir);
        reopened.Migrate([new StateMigration(1, "one", "CREATE TABLE a (x INTEGER);")]);
        Assert.Equal(1, reopened.Version);
        Assert.Equal(0L, Scalar(reopened, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'b';"));
    }

    [Fact]
    public void A_database_from_a_newer_agent_is_refused()
    {
        using var dir = new TempDir();
        Create(dir).Migrate([new StateMigration(1, "one", "SELECT 1;"), new StateMigration(2, "two", "SELECT 1;")]);
        var e = Assert.Throws<InvalidOperationException>(() => Create(dir).Migrate([new StateMigration(1, "one", "SELECT 1;")]));
        Assert.Contains("newer", e.Message);
    }
}
