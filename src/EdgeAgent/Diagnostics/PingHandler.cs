using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using EdgeAgent.State;

namespace EdgeAgent.Diagnostics;

/// <summary>
/// <c>ping</c>: the agent answers with its version, uptime, queue figures and managed memory (the heap after the last
/// collection and the collection counts, to tell a leak from a heap not yet collected; the process's resident set is
/// on <c>health</c>). Nothing here reads a file: ping is the round trip the fleet measures. A degraded agent (a full
/// disk) says so here too.
/// </summary>
public sealed class PingHandler(AgentOptions options, Outbox outbox, CommandCounters counters, Degradation degradation, TimeProvider time,
    Recordings.Uploader? uploader = null) : ICommandHandler
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    public CommandSpec Command => AgentCommands.Ping;

    public Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct)
    {
        var gc = GC.GetGCMemoryInfo();
        var degraded = degradation.Reasons;
        JsonNode result = new JsonObject
        {
            ["version"] = AgentVersion.Current,
            ["room"] = options.Address.ToString(),
            ["role"] = Words.Of(options.Role),
            ["uptimeSeconds"] = (long)(time.GetUtcNow() - _started).TotalSeconds,
            ["outbox"] = new JsonObject { ["queued"] = outbox.Count, ["eventsDropped"] = outbox.Dropped, ["inMemory"] = outbox.InMemory },
            ["commands"] = new JsonObject
            {
                ["received"] = counters.Received, ["replied"] = counters.Replied,
                ["busy"] = counters.Busy, ["dropped"] = counters.Dropped, ["retainedDropped"] = counters.RetainedDropped,
            },
            ["memory"] = new JsonObject
            {
                ["gcHeapBytes"] = gc.HeapSizeBytes,
                ["gcCommittedBytes"] = gc.TotalCommittedBytes,
                ["gcCollections"] = new JsonArray(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)),
            },
            ["degraded"] = degraded.Count == 0 ? null : new JsonArray(degraded.Select(d => (JsonNode?)d).ToArray()),
        };
        if (uploader is { Enabled: true, Backlog: var b })
            result["uploads"] = new JsonObject { ["files"] = b.Files, ["bytes"] = b.Bytes, ["oldest"] = b.OldestQueuedAt is { } t ? SchoolTime.Seconds(t) : null };
        return Task.FromResult(result);
    }
}
