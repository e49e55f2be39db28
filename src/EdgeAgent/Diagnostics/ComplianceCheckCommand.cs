using System.Text.Json.Nodes;

namespace EdgeAgent.Diagnostics;

/// <summary>
/// <c>compliance-check</c>: runs the compliance check now. No probes are installed in this version, so it says
/// so with verdict <c>unknown</c> rather than report a pass.
/// </summary>
public sealed class ComplianceCheckCommand : IDiagnosticCommand
{
    public string Name => "compliance-check";
    public TimeSpan Timeout => TimeSpan.FromSeconds(120);

    public Task<JsonNode> RunAsync(JsonObject args, CancellationToken ct)
    {
        CommandArgs.AllowOnly(args);
        JsonNode result = new JsonObject { ["verdict"] = "unknown", ["reason"] = "no compliance probes are installed in this version", ["rules"] = new JsonArray() };
        return Task.FromResult(result);
    }
}
