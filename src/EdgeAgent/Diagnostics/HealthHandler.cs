using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Json;
using EdgeAgent.Devices;

namespace EdgeAgent.Diagnostics;

/// <summary><c>health</c>: polls every device now and returns their health, as the <c>health</c> document lists them.</summary>
public sealed class HealthHandler(DeviceHealthPoller poller) : ICommandHandler
{
    public CommandSpec Command => AgentCommands.Health;

    public async Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct)
    {
        var polled = await poller.PollAllNowAsync(ct).ConfigureAwait(false);
        var devices = new JsonArray(polled.Select(h => JsonSerializer.SerializeToNode(DeviceHealthPoller.Entry(h), ContractJson.Wire.DeviceHealthEntry)).ToArray());
        return new JsonObject { ["devices"] = devices };
    }
}
