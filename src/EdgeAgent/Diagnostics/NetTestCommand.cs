using System.Diagnostics;
using System.Net.Sockets;
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
        if (!Uri.TryCreate(options.Stream.UplinkUrl ?? "", UriKind.Absolute, out var uplink) || uplink.Port <= 0)
            throw new CommandException("bad_args", "no uplink endpoint is configured (stream.uplinkUrl)");
        var host = options.Stream.IngestHost ?? uplink.Host;
        var samples = new List<double>();
        var failures = 0;
        for (var i = 0; i < count; i++)
        {
            using var client = new TcpClient();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attempt.CancelAfter(TimeSpan.FromSeconds(2));
            var clock = Stopwatch.StartNew();
            try
            {
                await client.ConnectAsync(host, uplink.Port, attempt.Token).ConfigureAwait(false);
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                failures++;
            }
        }
        return new JsonObject
        {
            ["host"] = host, ["port"] = uplink.Port, ["attempts"] = count,
            ["lossPercent"] = Math.Round(100.0 * failures / count, 1),
            ["rttMs"] = samples.Count == 0 ? null : new JsonObject
            {
                ["min"] = Math.Round(samples.Min(), 2), ["avg"] = Math.Round(samples.Average(), 2), ["max"] = Math.Round(samples.Max(), 2),
            },
        };
    }
}
