using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Kernel;

namespace EdgeAgent.Compliance.Probes;

/// <summary>
/// The network to the ingest side. With an iperf3 server configured (<c>compliance.iperf3Host</c>): sustained
/// upload (TCP), download (TCP, reverse), jitter and loss (UDP at <c>iperf3UdpMbps</c>), all from iperf3's JSON
/// output, and the round-trip time as the median of five application round trips on iperf3's control protocol
/// (connect, send the 37-byte cookie, wait for the server's first state byte). Without one: round-trip time by TCP
/// connect to the uplink's host and port; bandwidth and loss are then unknown.
/// </summary>
public sealed class NetworkProbe(AgentOptions options) : IComplianceProbe
{
    public string Name => "network";
    public IReadOnlyList<string> Metrics => ["net.up", "net.down", "net.delay", "net.rtt", "net.jitter", "net.loss"];

    public async Task<IReadOnlyList<Measurement>> MeasureAsync(CancellationToken ct)
    {
        var c = options.Compliance;
        if (c.Iperf3Host is not { } host)
        {
            const string why = "no iperf3 endpoint is configured (compliance.iperf3Host)";
            var results = new List<Measurement> { Measurement.Unknown("net.up", why), Measurement.Unknown("net.down", why), Measurement.Unknown("net.jitter", why), Measurement.Unknown("net.loss", why) };
            results.AddRange(await ConnectRttAsync(ct).ConfigureAwait(false));
            return results;
        }
        var list = new List<Measurement>();
        var seconds = c.Iperf3Seconds.ToString(CultureInfo.InvariantCulture);
        var port = c.Iperf3Port.ToString(CultureInfo.InvariantCulture);
        string[] common = ["-c", host, "-p", port, "-t", seconds, "-J", "--connect-timeout", "5000"];
        // Both directions count what arrived (sum_received): what a sender wrote may still sit in buffers on the way.
        list.Add(await Iperf("net.up", [.. common], json => Mbps(json, "sum_received"), "upload", ct).ConfigureAwait(false));
        list.Add(await Iperf("net.down", [.. common, "-R"], json => Mbps(json, "sum_received"), "download", ct).ConfigureAwait(false));
        var udpRate = $"{c.Iperf3UdpMbps.ToString(CultureInfo.InvariantCulture)}M";
        // 1200-byte datagrams: what fits an internet path (on loopback iperf3 would pick tens of kilobytes).
        var udp = await RunIperf([.. common, "-u", "-b", udpRate, "-l", "1200"], ct).ConfigureAwait(false);
        if (udp.Error is { } udpError)
        {
            list.Add(Measurement.Unknown("net.jitter", udpError));
            list.Add(Measurement.Unknown("net.loss", udpError));
        }
        else
        {
            var sum = udp.Json!.RootElement.GetProperty("end").GetProperty("sum");
            var jitter = sum.GetProperty("jitter_ms").GetDouble();
            var lost = sum.GetProperty("lost_percent").GetDouble();
            var packets = sum.GetProperty("packets").GetInt64();
            list.Add(Measurement.Of("net.jitter", Math.Round(jitter, 2), $"iperf3 UDP {udpRate}bit/s for {seconds} s to {host}: jitter {jitter:0.00} ms"));
            list.Add(Measurement.Of("net.loss", Math.Round(lost, 2), $"iperf3 UDP {udpRate}bit/s for {seconds} s to {host}: {lost:0.##} % of {packets} packets lost"));
            udp.Json.Dispose();
        }
        // Last: the round-trip samples end iperf3 control sessions early, which keeps the server busy for a moment.
        list.AddRange(await ControlRttAsync(host, c.Iperf3Port, ct).ConfigureAwait(false));
        return list;
    }

    private async Task<Measurement> Iperf(string metric, string[] args, Func<JsonDocument, double> read, string what, CancellationToken ct)
    {
        var run = await RunIperf(args, ct).ConfigureAwait(false);
        if (run.Error is { } error) return Measurement.Unknown(metric, error);
        using var json = run.Json!;
        var mbps = read(json);
        return Measurement.Of(metric, Math.Round(mbps, 2),
            $"iperf3 TCP {what} for {options.Compliance.Iperf3Seconds} s to {options.Compliance.Iperf3Host}:{options.Compliance.Iperf3Port}: {mbps:0.00} Mbit/s");
    }

    private static double Mbps(JsonDocument json, string sum) =>
        json.RootElement.GetProperty("end").GetProperty(sum).GetProperty("bits_per_second").GetDouble() / 1e6;

    /// <summary>One iperf3 run; a server busy with another room's test (or just finishing one) is asked again, three times, a second apart.</summary>
    private static async Task<(JsonDocument? Json, string? Error)> RunIperf(string[] args, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var run = await RunIperfOnce(args, ct).ConfigureAwait(false);
            var busy = run.Error is { } e && (e.Contains("busy", StringComparison.OrdinalIgnoreCase) || e.Contains("closed unexpectedly", StringComparison.OrdinalIgnoreCase));
            if (!busy || attempt == 3) return run;
            await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        }
    }

    private static async Task<(JsonDocument? Json, string? Error)> RunIperfOnce(string[] args, CancellationToken ct)
    {
        (int Code, string Output, string Error) run;
        try
        {
            run = await ProgramRun.RunAsync("iperf3", args, ct).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, $"cannot run iperf3: {e.Message}");
        }
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(run.Output);
        }
        catch (JsonException)
        {
            return (null, $"iperf3 gave no JSON (exit {run.Code}): {run.Error.Trim()}");
        }
        if (json.RootElement.TryGetProperty("error", out var error))
        {
            var message = error.GetString();
            json.Dispose();
            return (null, $"iperf3: {message}");
        }
        return (json, null);
    }

    /// <summary>Five application round trips on iperf3's control port; the median, and the delay as half of it.</summary>
    private static async Task<IReadOnlyList<Measurement>> ControlRttAsync(string host, int port, CancellationToken ct)
    {
        var samples = new List<double>();
        string? lastError = null;
        for (var i = 0; i < 5; i++)
        {
            try
            {
                using var client = new TcpClient { NoDelay = true };
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                await client.ConnectAsync(host, port, attempt.Token).ConfigureAwait(false);
                var stream = client.GetStream();
                var cookie = new byte[37];
                Encoding.ASCII.GetBytes(Guid.NewGuid().ToString("N") + "rttp", cookie); // 36 characters and a NUL
                var clock = Stopwatch.StartNew();
                await stream.WriteAsync(cookie, attempt.Token).ConfigureAwait(false);
                var state = new byte[1];
                if (await stream.ReadAsync(state, attempt.Token).ConfigureAwait(false) == 1) samples.Add(clock.Elapsed.TotalMilliseconds);
                else lastError = "the server closed the connection";
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                lastError = e.Message;
            }
        }
        return Rtt(samples, $"iperf3 control round trips to {host}:{port}", lastError);
    }

    /// <summary>Without iperf3: round trips on the uplink's own path (SRT handshakes over UDP, or TCP connects for RTMP).</summary>
    private async Task<IReadOnlyList<Measurement>> ConnectRttAsync(CancellationToken ct)
    {
        if (options.Stream.Uplink is not { } uplink)
            return [Measurement.Unknown("net.rtt", "no uplink endpoint is configured"), Measurement.Unknown("net.delay", "no uplink endpoint is configured")];
        var target = options.Stream.IngestHost is { } host ? uplink with { Host = host } : uplink;
        var result = await Media.PathProbe.MeasureAsync(target, 5, TimeSpan.FromSeconds(3), ct).ConfigureAwait(false);
        return Rtt([.. result.SamplesMs], $"{result.Method} to {target.HostPort}", result.LastError);
    }

    private static IReadOnlyList<Measurement> Rtt(List<double> samples, string what, string? lastError)
    {
        if (samples.Count == 0)
        {
            var why = $"{what}: none answered ({lastError})";
            return [Measurement.Unknown("net.rtt", why), Measurement.Unknown("net.delay", why)];
        }
        samples.Sort();
        var median = samples[samples.Count / 2];
        var evidence = string.Create(CultureInfo.InvariantCulture, $"{what}: median {median:0.0} ms of {samples.Count} (min {samples[0]:0.0}, max {samples[^1]:0.0})");
        return [Measurement.Of("net.rtt", Math.Round(median, 1), evidence), Measurement.Of("net.delay", Math.Round(median / 2, 1), evidence + "; one-way = RTT/2")];
    }
}
