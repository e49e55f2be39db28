using System.Globalization;
using System.Text.Json;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.State;

namespace EdgeAgent.Compliance;

/// <summary>
/// Where compliance reports go: the state database, then the outbox (retained on <c>compliance</c>). What a report
/// says that a technician must hear of at once is raised as an event: a clock that is not synchronized
/// (<c>clock-unsynced</c>, once until it is in sync again) — lessons start on the bells of two schools.
/// </summary>
public sealed class ComplianceStore(StateDatabase database, Outbox outbox, RoomTopics topics, EventSink events)
{
    private bool _clockUnsynced;

    /// <summary>Whether the latest compliance check found the room's clock not synchronized.</summary>
    public bool ClockUnsynced => Volatile.Read(ref _clockUnsynced);

    public void Store(ComplianceReport report)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(report, ContractJson.Wire.ComplianceReport);
        try
        {
            database.Write(c =>
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = "INSERT INTO compliance_reports (id, at, verdict, json) VALUES ($id, $at, $verdict, $json)";
                cmd.Parameters.AddWithValue("$id", report.Id);
                cmd.Parameters.AddWithValue("$at", report.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                cmd.Parameters.AddWithValue("$verdict", report.Verdict);
                cmd.Parameters.AddWithValue("$json", System.Text.Encoding.UTF8.GetString(json));
                cmd.ExecuteNonQuery();
            });
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // The room's own copy is missing (a full disk); the office's copy still goes, through the outbox.
        }
        outbox.Enqueue(OutboxKind.Compliance, topics.Compliance, report.Id, json, retain: true);
        RaiseClock(report);
    }

    private void RaiseClock(ComplianceReport report)
    {
        if (report.Rules.FirstOrDefault(r => r.Metric == "clock.offset") is not { } clock || clock.Verdict == Verdicts.Unknown) return;
        var unsynced = clock.Verdict == Verdicts.Fail;
        if (unsynced && !_clockUnsynced)
            events.Raise(EventTypes.ClockUnsynced, Severity.Warning, null, $"the room's clock is not synchronized ({clock.Evidence}); lessons start on the two schools' bells");
        _clockUnsynced = unsynced;
    }
}
