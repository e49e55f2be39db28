using System.Text.Json;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Devices;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Cli;

/// <summary><c>edgeagent device --config FILE DEVICE-ID ACTION [ARGS]</c>: one operation, JSON out, for technicians and scripts.</summary>
public static class DeviceVerb
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(string configPath, string deviceId, string action, string[] args, CancellationToken ct)
    {
        var options = AgentCli.LoadOrReport(configPath, Console.Error);
        if (options is null) return ExitCodes.Config;
        await using var devices = new DeviceRegistry(options, NullLoggerFactory.Instance, TimeProvider.System);
        var result = await new DeviceActions(devices, TimeProvider.System).RunAsync(deviceId, action, args.Select(a => (ActionArgument)a).ToList(), ct);
        Console.Out.WriteLine(result.ToJson(deviceId, action).ToJsonString(Pretty));
        return result.Ok ? ExitCodes.Ok
            : result.ErrorCode is ReplyCodes.UnknownDevice or ReplyCodes.BadArgs ? ExitCodes.Usage
            : ExitCodes.DeviceError;
    }
}
