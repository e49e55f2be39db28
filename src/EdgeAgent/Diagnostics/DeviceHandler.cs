using System.Text.Json.Nodes;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Devices;

namespace EdgeAgent.Diagnostics;

/// <summary><c>device</c>: <c>{"device","action","args":[...]}</c>, the same actions as <c>edgeagent device</c>.</summary>
public sealed class DeviceHandler(DeviceActions actions) : ICommandHandler
{
    public CommandSpec Command => AgentCommands.Device;

    public async Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct)
    {
        var result = await actions.RunAsync(args.Text("device")!, args.Text("action")!, args.List("args"), ct).ConfigureAwait(false);
        return result.Ok ? result.Result! : throw new CommandException(result.ErrorCode!, result.Message!);
    }
}
