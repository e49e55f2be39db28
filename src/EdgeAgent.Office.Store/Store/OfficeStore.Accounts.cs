using System.Data.Common;

namespace EdgeAgent.Office.Store;

/// <summary>A console user: a name, a role (viewer, technician, admin) and the password's hash (never the password).</summary>
public sealed record OfficeUser(string Name, string Role, string PasswordHash, DateTimeOffset CreatedAt);

/// <summary>One line of the audit log: who did what to which room, when, and how it went.</summary>
public sealed record AuditEntry(string Id, DateTimeOffset At, string Who, string? Room, string Action, string Detail, string Result);

/// <summary>The console's users and the audit log, in the same database as what the fleet reports.</summary>
public sealed partial class OfficeStore
{
    public Task<OfficeUser?> UserAsync(string name, CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT name, role, password_hash, created_at FROM office_users WHERE name = @n";
        Add(command, "n", name);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadUser(reader) : null;
    }, ct);

    public Task<IReadOnlyList<OfficeUser>> UsersAsync(CancellationToken ct) => GatedAsync<IReadOnlyList<OfficeUser>>(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT name, role, password_hash, created_at FROM office_users ORDER BY name";
        var list = new List<OfficeUser>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadUser(reader));
        return list;
    }, ct);

    /// <summary>Adds the user or replaces its role and password.</summary>
    public Task SaveUserAsync(OfficeUser user, CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO office_users (name, role, password_hash, created_at) VALUES (@n, @r, @h, @c)
            ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash
            """;
        Add(command, "n", user.Name);
        Add(command, "r", user.Role);
        Add(command, "h", user.PasswordHash);
        Add(command, "c", Utc(user.CreatedAt));
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }, ct);

    public Task<bool> DeleteUserAsync(string name, CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "DELETE FROM office_users WHERE name = @n";
        Add(command, "n", name);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
    }, ct);

    public Task AuditAsync(AuditEntry entry, CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "INSERT INTO office_audit (id, at, who, room, action, detail, result) VALUES (@i, @a, @w, @r, @n, @d, @s)";
        Add(command, "i", entry.Id);
        Add(command, "a", Utc(entry.At));
        Add(command, "w", entry.Who);
        Add(command, "r", entry.Room);
        Add(command, "n", entry.Action);
        Add(command, "d", entry.Detail);
        Add(command, "s", entry.Result);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }, ct);

    /// <summary>The newest entries first; of one room when <paramref name="room"/> is given.</summary>
    public Task<IReadOnlyList<AuditEntry>> AuditLogAsync(string? room, int limit, CancellationToken ct) => GatedAsync<IReadOnlyList<AuditEntry>>(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, at, who, room, action, detail, result FROM office_audit"
            + (room is null ? "" : " WHERE room = @r") + " ORDER BY at DESC, id DESC LIMIT @n";
        if (room is not null) Add(command, "r", room);
        Add(command, "n", limit);
        var list = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new AuditEntry(reader.GetString(0), ParseUtc(reader.GetString(1)), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6)));
        return list;
    }, ct);

    private static OfficeUser ReadUser(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), ParseUtc(reader.GetString(3)));

}
