using System.Text.Json.Nodes;
using EdgeAgent.Devices;

namespace EdgeAgent.Diagnostics;

/// <summary><c>health</c>: polls every device now and returns their health.</summary>
public sealed class HealthCommand(DeviceHealthPoller poller) : IDiagnosticCommand
{
    public string Name => "health";
    public TimeSpan Timeout => TimeSpan.FromSeconds(20);

    public async Task<JsonNode> RunAsync(JsonObject args, CancellationToken ct)
    {
        CommandArgs.AllowOnly(args);
        var devices = new JsonArray();
        foreach (var h in await poller.PollAllNowAsync(ct).ConfigureAwait(false))
        {
            devices.Add((JsonNode)new JsonObject
            {
                ["id"] = h.DeviceId, ["kind"] = h.Kind, ["state"] = h.State.ToString().ToLowerInvariant(), ["detail"] = h.Detail,
                ["lastSeen"] = h.LastSeen?.ToString("O"), ["errors"] = h.Errors, ["timeouts"] = h.Timeouts,
            });
        }
        return new JsonObject { ["devices"] = devices };
    }
}
