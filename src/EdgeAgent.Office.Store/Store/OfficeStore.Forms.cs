using EdgeAgent.Office.Reports;

namespace EdgeAgent.Office.Store;

/// <summary>What the office enters into the monthly form, per school pair and month.</summary>
public sealed partial class OfficeStore
{
    private const string FormsSchema = """
        CREATE TABLE IF NOT EXISTS office_form_inputs (
            urban TEXT NOT NULL, rural TEXT NOT NULL, month TEXT NOT NULL, json TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
            PRIMARY KEY (urban, rural, month));
        """;

    /// <summary>
    /// The pair's inputs for <paramref name="month"/> (YYYY-MM); when that month has none, the latest earlier month's
    /// carried forward (<see cref="FormInputs.CarriedForward"/>) and the month it came from; nothing at all: empty.
    /// </summary>
    public Task<(FormInputs Inputs, string? From)> FormInputsAsync(string urban, string rural, string month, CancellationToken ct) =>
        GatedAsync<(FormInputs, string?)>(async () =>
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = "SELECT month, json FROM office_form_inputs WHERE urban = @u AND rural = @r AND month <= @m ORDER BY month DESC LIMIT 1";
            Add(command, "u", urban);
            Add(command, "r", rural);
            Add(command, "m", month);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return (new FormInputs(), null);
            var inputs = FormInputs.FromJson(reader.GetString(1));
            var from = reader.GetString(0);
            return from == month ? (inputs, month) : (inputs.CarriedForward(), from);
        }, ct);

    public Task SaveFormInputsAsync(string urban, string rural, string month, FormInputs inputs, DateTimeOffset at, string by, CancellationToken ct) => GatedAsync(async () =>
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO office_form_inputs (urban, rural, month, json, updated_at, updated_by) VALUES (@u, @r, @m, @j, @a, @b)
            ON CONFLICT (urban, rural, month) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """;
        Add(command, "u", urban);
        Add(command, "r", rural);
        Add(command, "m", month);
        Add(command, "j", inputs.ToJson());
        Add(command, "a", Utc(at));
        Add(command, "b", by);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }, ct);
}
