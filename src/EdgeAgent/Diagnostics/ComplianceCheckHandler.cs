using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Compliance;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Json;

namespace EdgeAgent.Diagnostics;

/// <summary><c>compliance-check</c>: runs every probe now and answers with the report (also stored and published on <c>compliance</c>).</summary>
public sealed class ComplianceCheckHandler(ComplianceService compliance) : ICommandHandler
{
    public CommandSpec Command => AgentCommands.ComplianceCheck;

    public async Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct)
    {
        var report = await compliance.RunNowAsync("command", ct).ConfigureAwait(false);
        return JsonSerializer.SerializeToNode(report, ContractJson.Wire.ComplianceReport)!;
    }
}
