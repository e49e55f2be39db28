using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace EdgeAgent.Office.Store;

/// <summary>The office database cannot be opened: a sentence for the user.</summary>
public sealed class OfficeStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Which of the fleet's documents a row is.</summary>
public enum OfficeKind { Lesson, Event, Compliance }

/// <summary>
/// The office database: every lesson record, event and compliance report of the fleet, one row per <c>id</c>
/// (a redelivered or twice-published document is stored once). A SQLite file (one collector) or PostgreSQL
/// (several collectors sharing the load); the SQL is the same for both.
/// </summary>
public sealed partial class OfficeStore : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly bool _postgres;
    // One connection, one statement at a time (neither Npgsql nor SQLite connections take concurrent commands).
    private readonly SemaphoreSlim _gate = new(1, 1);

    private OfficeStore(DbConnection connection, bool postgres)
    {
        _connection = connection;
        _postgres = postgres;
    }

    public bool IsPostgres => _postgres;

    /// <summary>For the newest event stored: how long after its own time it arrived (the collector's lag).</summary>
    public TimeSpan? LastLag { get; private set; }

    /// <summary>A PostgreSQL connection string (<c>Host=...</c> or <c>postgresql://</c>) or a SQLite file path.</summary>
    public static bool LooksLikePostgres(string db) =>
        db.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || db.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || db.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    /// <param name="create">False for the commands that only read (report, status): a SQLite file that is not there is a typo, not a new office.</param>
    public static async Task<OfficeStore> OpenAsync(string db, CancellationToken ct, bool create = true)
    {
        var postgres = LooksLikePostgres(db);
        if (!postgres && !create && !File.Exists(db))
            throw new OfficeStoreException($"no office database at {db} (is the path right? the office service creates it on its first start)");
        if (!postgres && create && Path.GetDirectoryName(Path.GetFullPath(db)) is { } parent) Directory.CreateDirectory(parent);
        DbConnection connection = postgres ? new NpgsqlConnection(PostgresConnectionString(db)) : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db }.ToString());
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or SqliteException or ArgumentException or InvalidOperationException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new OfficeStoreException($"cannot open the office database {(postgres ? "(PostgreSQL)" : db)}: {e.Message}", e);
        }
        var store = new OfficeStore(connection, postgres);
        if (!postgres) await store.ExecAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;", ct).ConfigureAwait(false);
        await store.ExecAsync(Schema, ct).ConfigureAwait(false);
        await store.ExecAsync(store.AlertsDdl, ct).ConfigureAwait(false);
        await store.ExecAsync(FormsSchema, ct).ConfigureAwait(false);
        return store;
    }

    /// <summary>Npgsql takes key=value strings; a URL is turned into one.</summary>
    internal static string PostgresConnectionString(string db)
    {
        if (!db.Contains("://", StringComparison.Ordinal)) return db;
        var uri = new Uri(db);
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port, Database = uri.AbsolutePath.Trim('/') };
        if (uri.UserInfo.Split(':', 2) is [var user, ..] && user.Length > 0) b.Username = Uri.UnescapeDataString(user);
        if (uri.UserInfo.Split(':', 2) is [_, var password]) b.Password = Uri.UnescapeDataString(password);
        return b.ToString();
    }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS lesson_records (
            id TEXT PRIMARY KEY, region TEXT NOT NULL, school TEXT NOT NULL, room TEXT NOT NULL, role TEXT NOT NULL,
            status TEXT NOT NULL, form TEXT NOT NULL, subject TEXT, partner_school TEXT, teacher TEXT, students INTEGER NOT NULL,
            planned_start TEXT, local_date TEXT, payload TEXT NOT NULL, received_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS lesson_records_date ON lesson_records (local_date);
        CREATE TABLE IF NOT EXISTS events (
            id TEXT PRIMARY KEY, region TEXT NOT NULL, school TEXT NOT NULL, room TEXT NOT NULL, type TEXT NOT NULL, severity TEXT NOT NULL,
            at TEXT NOT NULL, payload TEXT NOT NULL, received_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS events_room ON events (region, school, room, at);
        CREATE TABLE IF NOT EXISTS compliance_reports (
            id TEXT PRIMARY KEY, region TEXT NOT NULL, school TEXT NOT NULL, room TEXT NOT NULL, role TEXT NOT NULL, verdict TEXT NOT NULL,
            at TEXT NOT NULL, payload TEXT NOT NULL, received_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS office_users (
            name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS office_audit (
            id TEXT PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL, room TEXT, action TEXT NOT NULL, detail TEXT NOT NULL, result TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS office_audit_at ON office_audit (at);
        """;

    /// <summary>After the database server restarted the connection is broken: open it again (the caller retries).</summary>
    private async Task EnsureOpenAsync(CancellationToken ct)
    {
        if (_connection.State == System.Data.ConnectionState.Open) return;
        await _connection.CloseAsync().ConfigureAwait(false);
        await _connection.OpenAsync(ct).ConfigureAwait(false);
    }

    private async Task ExecAsync(string sql, CancellationToken ct)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A document as it arrived; throws <see cref="FormatException"/> when it is not one of ours (no id, wrong schema).</summary>
    public async Task<bool> StoreAsync(OfficeKind kind, RoomAddress room, ReadOnlyMemory<byte> payload, DateTimeOffset receivedAt, CancellationToken ct)
    {
        JsonObject doc;
        try
        {
            doc = JsonNode.Parse(payload.Span) as JsonObject ?? throw new FormatException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON: {e.Message}", e);
        }
        var id = Text(doc, "id") ?? throw new FormatException("no id");
        var json = doc.ToJsonString();
        return await GatedAsync(async () =>
        {
            await using var command = _connection.CreateCommand();
            switch (kind)
            {
                case OfficeKind.Lesson:
                    Expect(doc, "edgeagent.lesson/1");
                    command.CommandText = """
                        INSERT INTO lesson_records (id, region, school, room, role, status, form, subject, partner_school, teacher, students, planned_start, local_date, payload, received_at)
                        VALUES (@id, @region, @school, @room, @role, @status, @form, @subject, @partner, @teacher, @students, @planned, @date, @payload, @received)
                        ON CONFLICT (id) DO NOTHING
                        """;
                    var start = Time(doc, "actualStart") ?? Time(doc, "plannedStart");
                    Add(command, "role", Text(doc, "role") ?? throw new FormatException("no role"));
                    Add(command, "status", Text(doc, "status") ?? throw new FormatException("no status"));
                    Add(command, "form", Text(doc, "form") ?? throw new FormatException("no form"));
                    Add(command, "subject", Text(doc, "subject"));
                    Add(command, "partner", Text(doc, "partnerSchool"));
                    Add(command, "teacher", Text(doc, "teacher"));
                    Add(command, "students", doc["students"]?.GetValue<int>() ?? 0);
                    Add(command, "planned", Time(doc, "plannedStart") is { } p ? Utc(p) : null);
                    Add(command, "date", start is { } s ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s, SchoolTime.ChinaStandardTime).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null);
                    break;
                case OfficeKind.Event:
                    Expect(doc, "edgeagent.event/1");
                    command.CommandText = """
                        INSERT INTO events (id, region, school, room, type, severity, at, payload, received_at)
                        VALUES (@id, @region, @school, @room, @type, @severity, @at, @payload, @received)
                        ON CONFLICT (id) DO NOTHING
                        """;
                    Add(command, "type", Text(doc, "type") ?? throw new FormatException("no type"));
                    Add(command, "severity", Text(doc, "severity") ?? "info");
                    Add(command, "at", Utc(Time(doc, "at") ?? receivedAt));
                    if (Time(doc, "at") is { } eventAt) LastLag = receivedAt - eventAt;
                    break;
                case OfficeKind.Compliance:
                    Expect(doc, "edgeagent.compliance/1");
                    command.CommandText = """
                        INSERT INTO compliance_reports (id, region, school, room, role, verdict, at, payload, received_at)
                        VALUES (@id, @region, @school, @room, @role, @verdict, @at, @payload, @received)
                        ON CONFLICT (id) DO NOTHING
                        """;
                    Add(command, "role", Text(doc, "role") ?? throw new FormatException("no role"));
                    Add(command, "verdict", Text(doc, "verdict") ?? throw new FormatException("no verdict"));
                    Add(command, "at", Utc(Time(doc, "at") ?? receivedAt));
                    break;
            }
            Add(command, "id", id);
            Add(command, "region", room.Region);
            Add(command, "school", room.School);
            Add(command, "room", room.Room);
            Add(command, "payload", json);
            Add(command, "received", Utc(receivedAt));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, ct).ConfigureAwait(false);
    }

    public Task<long> CountAsync(OfficeKind kind, CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {Table(kind)}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }, ct);

    public async Task<IReadOnlyList<JsonObject>> RecentEventsAsync(RoomAddress room, int limit, CancellationToken ct)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT payload FROM events WHERE region = @r AND school = @s AND room = @m ORDER BY at DESC LIMIT @n";
        Add(command, "r", room.Region);
        Add(command, "s", room.School);
        Add(command, "m", room.Room);
        Add(command, "n", limit);
        return await PayloadsAsync(command, ct).ConfigureAwait(false);
    }

    /// <summary>Lesson records by status (completed, failed, missed, ...), all time.</summary>
    public Task<IReadOnlyDictionary<string, long>> LessonCountsAsync(CancellationToken ct) => GatedAsync<IReadOnlyDictionary<string, long>>(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT status, COUNT(*) FROM lesson_records GROUP BY status";
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }, ct);

    /// <summary>A room's newest lesson records first.</summary>
    public async Task<IReadOnlyList<JsonObject>> RoomLessonsAsync(RoomAddress room, int limit, CancellationToken ct)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT payload FROM lesson_records WHERE region = @r AND school = @s AND room = @m ORDER BY COALESCE(planned_start, received_at) DESC LIMIT @n";
        Add(command, "r", room.Region);
        Add(command, "s", room.School);
        Add(command, "m", room.Room);
        Add(command, "n", limit);
        return await PayloadsAsync(command, ct).ConfigureAwait(false);
    }

    /// <summary>Lesson records whose school-local date is in [from, to).</summary>
    public async Task<IReadOnlyList<JsonObject>> LessonsAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT payload FROM lesson_records WHERE local_date >= @f AND local_date < @t ORDER BY local_date, id";
        Add(command, "f", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add(command, "t", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return await PayloadsAsync(command, ct).ConfigureAwait(false);
    }

    /// <summary>Compliance reports made in [from, to) (UTC instants).</summary>
    public async Task<IReadOnlyList<JsonObject>> ComplianceAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT payload FROM compliance_reports WHERE at >= @f AND at < @t ORDER BY at, id";
        Add(command, "f", Utc(from));
        Add(command, "t", Utc(to));
        return await PayloadsAsync(command, ct).ConfigureAwait(false);
    }

    private Task<IReadOnlyList<JsonObject>> PayloadsAsync(DbCommand command, CancellationToken ct) => GatedAsync<IReadOnlyList<JsonObject>>(async () =>
    {
        var list = new List<JsonObject>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            if (JsonNode.Parse(reader.GetString(0)) is JsonObject o) list.Add(o);
        return list;
    }, ct);

    /// <summary>One statement at a time on the one connection, reopened first if the database restarted.</summary>
    private async Task<T> GatedAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await EnsureOpenAsync(ct).ConfigureAwait(false);
            return await work().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string Table(OfficeKind kind) => kind switch
    {
        OfficeKind.Lesson => "lesson_records",
        OfficeKind.Event => "events",
        _ => "compliance_reports",
    };

    private static void Expect(JsonObject doc, string schema)
    {
        if (Text(doc, "schema") != schema) throw new FormatException($"schema is not {schema}");
    }

    private static string? Text(JsonObject doc, string name) =>
        doc[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static DateTimeOffset? Time(JsonObject doc, string name) =>
        Text(doc, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static void Add(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
