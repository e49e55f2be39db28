using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Compliance;

namespace EdgeAgent.Diagnostics;

/// <summary><c>compliance-check</c>: runs every probe now and answers with the report (also stored and published on <c>compliance</c>).</summary>
public sealed class ComplianceCheckCommand(ComplianceService compliance) : IDiagnosticCommand
{
    public string Name => "compliance-check";
    public TimeSpan Timeout => TimeSpan.FromSeconds(180);

    public async Task<JsonNode> RunAsync(JsonObject args, CancellationToken ct)
    {
        CommandArgs.AllowOnly(args);
        var report = await compliance.RunNowAsync("command", ct).ConfigureAwait(false);
        return JsonNode.Parse(JsonSerializer.Serialize(report, ComplianceJson.Default.ComplianceReport))!;
    }
}
