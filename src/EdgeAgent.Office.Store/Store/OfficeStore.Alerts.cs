using System.Data.Common;
using System.Globalization;

namespace EdgeAgent.Office.Store;

/// <summary>An alert: one rule holding for one room (and one subject in it, such as a device or a lesson), from raised to resolved.</summary>
public sealed record AlertRow(
    string Id, string Rule, string Room, string Subject, string Severity, string Detail, DateTimeOffset RaisedAt,
    DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, DateTimeOffset? EscalatedAt, DateTimeOffset? ResolvedAt, string? Resolution)
{
    public bool IsOpen => ResolvedAt is null;
}

/// <summary>A notification waiting to go out (stored first, sent at least once): a webhook call or a mail.</summary>
public sealed record NotificationRow(long Id, string Channel, string Target, string Subject, string Body, int Attempts, DateTimeOffset NextAt);

/// <summary>The office's alerts, suppressions, notification outbox and its own documents (the alert rules).</summary>
public sealed partial class OfficeStore
{
    private const string AlertsSchema = """
        CREATE TABLE IF NOT EXISTS office_alerts (
            id TEXT PRIMARY KEY, rule TEXT NOT NULL, room TEXT NOT NULL, subject TEXT NOT NULL, severity TEXT NOT NULL, detail TEXT NOT NULL,
            raised_at TEXT NOT NULL, acknowledged_at TEXT, acknowledged_by TEXT, escalated_at TEXT, resolved_at TEXT, resolution TEXT);
        CREATE INDEX IF NOT EXISTS office_alerts_open ON office_alerts (resolved_at);
        CREATE TABLE IF NOT EXISTS office_alert_suppressions (
            room TEXT NOT NULL, rule TEXT NOT NULL, until_at TEXT NOT NULL, by_user TEXT NOT NULL, PRIMARY KEY (room, rule));
        CREATE TABLE IF NOT EXISTS office_notifications (
            id INTEGER PRIMARY KEY {AUTO}, channel TEXT NOT NULL, target TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,
            attempts INTEGER NOT NULL, next_at TEXT NOT NULL, sent_at TEXT, last_error TEXT);
        CREATE TABLE IF NOT EXISTS office_documents (
            kind TEXT PRIMARY KEY, json TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);
        """;

    private string AlertsDdl => AlertsSchema.Replace("INTEGER PRIMARY KEY {AUTO}", _postgres ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT", StringComparison.Ordinal);

    private const string AlertColumns = "id, rule, room, subject, severity, detail, raised_at, acknowledged_at, acknowledged_by, escalated_at, resolved_at, resolution";

    public Task<IReadOnlyList<AlertRow>> OpenAlertsAsync(CancellationToken ct) => AlertsWhereAsync("resolved_at IS NULL ORDER BY raised_at", [], ct);

    /// <summary>Alerts resolved at or after <paramref name="since"/>, newest first.</summary>
    public Task<IReadOnlyList<AlertRow>> ResolvedAlertsAsync(DateTimeOffset since, int limit, CancellationToken ct) =>
        AlertsWhereAsync("resolved_at IS NOT NULL AND resolved_at >= @since ORDER BY resolved_at DESC LIMIT @n", [("since", Utc(since)), ("n", limit)], ct);

    public async Task<AlertRow?> AlertAsync(string id, CancellationToken ct) => (await AlertsWhereAsync("id = @id", [("id", id)], ct).ConfigureAwait(false)).FirstOrDefault();

    private Task<IReadOnlyList<AlertRow>> AlertsWhereAsync(string where, (string, object)[] args, CancellationToken ct) => GatedAsync<IReadOnlyList<AlertRow>>(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {AlertColumns} FROM office_alerts WHERE {where}";
        foreach (var (name, value) in args) Add(command, name, value);
        var list = new List<AlertRow>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new AlertRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                ParseUtc(reader.GetString(6)), OptionalTime(reader, 7), OptionalText(reader, 8), OptionalTime(reader, 9), OptionalTime(reader, 10), OptionalText(reader, 11)));
        return list;
    }, ct);

    public Task SaveAlertAsync(AlertRow a, CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO office_alerts ({AlertColumns}) VALUES (@id, @rule, @room, @subject, @severity, @detail, @raised, @ackAt, @ackBy, @esc, @res, @resolution)
            ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, detail = excluded.detail, acknowledged_at = excluded.acknowledged_at,
              acknowledged_by = excluded.acknowledged_by, escalated_at = excluded.escalated_at, resolved_at = excluded.resolved_at, resolution = excluded.resolution
            """;
        Add(command, "id", a.Id);
        Add(command, "rule", a.Rule);
        Add(command, "room", a.Room);
        Add(command, "subject", a.Subject);
        Add(command, "severity", a.Severity);
        Add(command, "detail", a.Detail);
        Add(command, "raised", Utc(a.RaisedAt));
        Add(command, "ackAt", a.AcknowledgedAt is { } k ? Utc(k) : null);
        Add(command, "ackBy", a.AcknowledgedBy);
        Add(command, "esc", a.EscalatedAt is { } e ? Utc(e) : null);
        Add(command, "res", a.ResolvedAt is { } r ? Utc(r) : null);
        Add(command, "resolution", a.Resolution);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }, ct);

    /// <summary>Suppressions in force at <paramref name="now"/>: (room, rule) → until.</summary>
    public Task<IReadOnlyDictionary<(string Room, string Rule), DateTimeOffset>> SuppressionsAsync(DateTimeOffset now, CancellationToken ct) =>
        GatedAsync<IReadOnlyDictionary<(string, string), DateTimeOffset>>(async () =>
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = "SELECT room, rule, until_at FROM office_alert_suppressions WHERE until_at > @now";
            Add(command, "now", Utc(now));
            var map = new Dictionary<(string, string), DateTimeOffset>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) map[(reader.GetString(0), reader.GetString(1))] = ParseUtc(reader.GetString(2));
            return map;
        }, ct);

    public Task SuppressAsync(string room, string rule, DateTimeOffset until, string by, CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO office_alert_suppressions (room, rule, until_at, by_user) VALUES (@room, @rule, @until, @by)
            ON CONFLICT (room, rule) DO UPDATE SET until_at = excluded.until_at, by_user = excluded.by_user
            """;
        Add(command, "room", room);
        Add(command, "rule", rule);
        Add(command, "until", Utc(until));
        Add(command, "by", by);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }, ct);

    public Task EnqueueNotificationAsync(string channel, string target, string subject, string body, DateTimeOffset now, CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "INSERT INTO office_notifications (channel, target, subject, body, attempts, next_at) VALUES (@c, @t, @s, @b, 0, @n)";
        Add(command, "c", channel);
        Add(command, "t", target);
        Add(command, "s", subject);
        Add(command, "b", body);
        Add(command, "n", Utc(now));
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }, ct);

    public Task<IReadOnlyList<NotificationRow>> DueNotificationsAsync(DateTimeOffset now, int limit, CancellationToken ct) => GatedAsync<IReadOnlyList<NotificationRow>>(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, channel, target, subject, body, attempts, next_at FROM office_notifications WHERE sent_at IS NULL AND next_at <= @now ORDER BY id LIMIT @n";
        Add(command, "now", Utc(now));
        Add(command, "n", limit);
        var list = new List<NotificationRow>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new NotificationRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5), ParseUtc(reader.GetString(6))));
        return list;
    }, ct);

    public Task<long> PendingNotificationsAsync(CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM office_notifications WHERE sent_at IS NULL";
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }, ct);

    /// <summary>Sent (<paramref name="error"/> null) or failed this time (tried again at <paramref name="next"/>).</summary>
    public Task NotificationTriedAsync(long id, DateTimeOffset now, string? error, DateTimeOffset next, CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = error is null
            ? "UPDATE office_notifications SET attempts = attempts + 1, sent_at = @now, last_error = NULL WHERE id = @id"
            : "UPDATE office_notifications SET attempts = attempts + 1, next_at = @next, last_error = @error WHERE id = @id";
        Add(command, "id", id);
        Add(command, "now", Utc(now));
        if (error is not null)
        {
            Add(command, "next", Utc(next));
            Add(command, "error", error);
        }
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }, ct);

    public Task<(string Json, DateTimeOffset At, string By)?> DocumentAsync(string kind, CancellationToken ct) => GatedAsync<(string, DateTimeOffset, string)?>(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT json, updated_at, updated_by FROM office_documents WHERE kind = @k";
        Add(command, "k", kind);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? (reader.GetString(0), ParseUtc(reader.GetString(1)), reader.GetString(2)) : null;
    }, ct);

    public Task SaveDocumentAsync(string kind, string json, DateTimeOffset at, string by, CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO office_documents (kind, json, updated_at, updated_by) VALUES (@k, @j, @a, @b)
            ON CONFLICT (kind) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """;
        Add(command, "k", kind);
        Add(command, "j", json);
        Add(command, "a", Utc(at));
        Add(command, "b", by);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }, ct);

    private static DateTimeOffset? OptionalTime(DbDataReader r, int i) => r.IsDBNull(i) ? null : ParseUtc(r.GetString(i));
    private static string? OptionalText(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static DateTimeOffset ParseUtc(string utc) => DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
