using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Service;
using EdgeAgent.Telemetry;

namespace EdgeAgent.Diagnostics;

/// <summary>
/// <c>ping</c>: the agent answers with its version, uptime, queue figures and managed memory (the heap after the last
/// collection and the collection counts, to tell a leak from a heap not yet collected; the process's resident set is
/// on <c>health</c>). Nothing here reads a file: ping is the round trip the fleet measures.
/// </summary>
public sealed class PingCommand(AgentOptions options, Outbox outbox, CommandCounters counters, TimeProvider time) : IDiagnosticCommand
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    public string Name => "ping";
    public TimeSpan Timeout => TimeSpan.FromSeconds(5);
    public bool RateLimited => false;

    public Task<JsonNode> RunAsync(JsonObject args, CancellationToken ct)
    {
        CommandArgs.AllowOnly(args);
        var gc = GC.GetGCMemoryInfo();
        JsonNode result = new JsonObject
        {
            ["version"] = AgentVersion.Current,
            ["room"] = $"{options.Region}/{options.School}/{options.Room}",
            ["role"] = options.Role,
            ["uptimeSeconds"] = (long)(time.GetUtcNow() - _started).TotalSeconds,
            ["outbox"] = new JsonObject { ["queued"] = outbox.Count, ["eventsDropped"] = outbox.Dropped },
            ["commands"] = new JsonObject
            {
                ["received"] = counters.Received, ["replied"] = counters.Replied,
                ["busy"] = counters.Busy, ["dropped"] = counters.Dropped,
            },
            ["memory"] = new JsonObject
            {
                ["gcHeapBytes"] = gc.HeapSizeBytes,
                ["gcCommittedBytes"] = gc.TotalCommittedBytes,
                ["gcCollections"] = new JsonArray(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)),
            },
        };
        return Task.FromResult(result);
    }
}
