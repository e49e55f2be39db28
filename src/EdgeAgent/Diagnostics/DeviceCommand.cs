using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Devices;

namespace EdgeAgent.Diagnostics;

/// <summary><c>device</c>: <c>{"device","action","args":[...]}</c>, the same actions as <c>edgeagent device</c>.</summary>
public sealed class DeviceCommand(DeviceActions actions) : IDiagnosticCommand
{
    public string Name => "device";
    public TimeSpan Timeout => TimeSpan.FromSeconds(30);

    public async Task<JsonNode> RunAsync(JsonObject args, CancellationToken ct)
    {
        CommandArgs.AllowOnly(args, "device", "action", "args");
        var device = CommandArgs.String(args, "device", 64, required: true)!;
        var action = CommandArgs.String(args, "action", 32, required: true)!;
        var list = new List<string>();
        if (args.TryGetPropertyValue("args", out var node) && node is not null)
        {
            if (node is not JsonArray array || array.Count > 8)
                throw new CommandException("bad_args", "'args' must be a list of at most 8 strings or numbers");
            foreach (var item in array)
            {
                var kind = item?.GetValueKind();
                if (kind is not (JsonValueKind.String or JsonValueKind.Number))
                    throw new CommandException("bad_args", "'args' must be a list of strings or numbers");
                var text = kind == JsonValueKind.String ? item!.GetValue<string>() : item!.ToJsonString();
                if (text.Length > 64) throw new CommandException("bad_args", "an argument is longer than 64 characters");
                list.Add(text);
            }
        }
        var result = await actions.RunAsync(device, action, list, ct).ConfigureAwait(false);
        return result.Ok ? result.Result! : throw new CommandException(result.ErrorCode!, result.Message!);
    }
}
