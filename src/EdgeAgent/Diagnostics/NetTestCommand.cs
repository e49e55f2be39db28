using System.Text.Json.Nodes;
using EdgeAgent.Configuration;

namespace EdgeAgent.Diagnostics;

/// <summary>
/// <c>net-test</c>: round-trip time and loss to the ingest host, measured by TCP connects to the configured
/// ingest endpoint (the uplink URL's host and port). The target is never taken from the request, so the
/// command cannot be used to probe other hosts. (The compliance probes add iperf3 bandwidth and jitter.)
/// </summary>
public sealed class NetTestCommand(AgentOptions options) : IDiagnosticCommand
{
    public string Name => "net-test";
    public TimeSpan Timeout => TimeSpan.FromSeconds(30);

    public async Task<JsonNode> RunAsync(JsonObject args, CancellationToken ct)
    {
        CommandArgs.AllowOnly(args, "count");
        var count = CommandArgs.Int(args, "count", 1, 20) ?? 5;
        if (!TcpConnectTimer.TryIngestEndpoint(options.Stream, out var host, out var port))
            throw new CommandException("bad_args", "no uplink endpoint is configured (stream.uplinkUrl)");
        var result = await TcpConnectTimer.MeasureAsync(host, port, count, TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
        var samples = result.SamplesMs;
        return new JsonObject
        {
            ["host"] = host, ["port"] = port, ["attempts"] = count,
            ["lossPercent"] = Math.Round(100.0 * result.Failures / count, 1),
            ["rttMs"] = samples.Count == 0 ? null : new JsonObject
            {
                ["min"] = Math.Round(samples.Min(), 2), ["avg"] = Math.Round(samples.Average(), 2), ["max"] = Math.Round(samples.Max(), 2),
            },
        };
    }
}
