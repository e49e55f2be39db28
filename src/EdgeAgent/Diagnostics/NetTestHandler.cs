using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Media;

namespace EdgeAgent.Diagnostics;

/// <summary>
/// <c>net-test</c>: round-trip time and loss on the path the stream uses, to the configured uplink endpoint: SRT
/// handshake round trips over UDP to an SRT uplink's port (an SRT port answers no TCP), TCP connects to an RTMP
/// one. The target is never taken from the request, so the command cannot be used to probe other hosts.
/// </summary>
public sealed class NetTestHandler(AgentOptions options) : ICommandHandler
{
    public CommandSpec Command => AgentCommands.NetTest;

    public async Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct)
    {
        var count = args.Whole("count") ?? 5;
        if (options.Stream.Uplink is not { } uplink)
            throw new CommandException(ReplyCodes.BadArgs, "no uplink endpoint is configured (stream.uplinkUrl)");
        var target = options.Stream.IngestHost is { } host ? uplink with { Host = host } : uplink;
        var result = await PathProbe.MeasureAsync(target, count, TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
        var samples = result.SamplesMs;
        return new JsonObject
        {
            ["host"] = target.Host, ["port"] = target.Port, ["path"] = result.Method, ["attempts"] = count,
            ["lossPercent"] = Math.Round(100.0 * result.Failures / count, 1),
            ["rttMs"] = samples.Count == 0 ? null : new JsonObject
            {
                ["min"] = Math.Round(samples.Min(), 2), ["avg"] = Math.Round(samples.Average(), 2), ["max"] = Math.Round(samples.Max(), 2),
            },
            ["error"] = result.LastError,
        };
    }
}
