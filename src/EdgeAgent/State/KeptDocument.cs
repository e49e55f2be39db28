using System.Globalization;

namespace EdgeAgent.State;

/// <summary>
/// The last office document of one kind that the agent accepted (the compliance policy, the playbooks), kept in its own
/// one-row table of the state database so that a restart keeps it even before the broker hands the retained copy again.
/// </summary>
public sealed class KeptDocument(StateDatabase database, KeptDocument.Kind kind, TimeProvider time)
{
    /// <summary>The tables (fixed names from the migrations: nothing from outside goes into the statement).</summary>
    public enum Kind { Policy, Playbooks, UpdatePolicy }

    private readonly string _table = kind switch
    {
        Kind.Policy => "policy_document",
        Kind.Playbooks => "playbooks_document",
        Kind.UpdatePolicy => "update_policy_document",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Keeps <paramref name="json"/> in place of the one before. Throws <see cref="Microsoft.Data.Sqlite.SqliteException"/> (a full disk).</summary>
    public void Keep(string json) => database.Write(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"INSERT INTO {_table} (slot, json, received_at) VALUES (1, $json, $at) ON CONFLICT (slot) DO UPDATE SET json = excluded.json, received_at = excluded.received_at";
        cmd.Parameters.AddWithValue("$json", json);
        cmd.Parameters.AddWithValue("$at", time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        cmd.ExecuteNonQuery();
    });

    /// <summary>The document kept, or null. Throws <see cref="Microsoft.Data.Sqlite.SqliteException"/> when the database cannot be read.</summary>
    public string? Read()
    {
        using var c = database.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT json FROM {_table} WHERE slot = 1";
        return cmd.ExecuteScalar() as string;
    }
}
