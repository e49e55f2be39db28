using System.Diagnostics;
using System.Net.Sockets;
using EdgeAgent.Configuration;

namespace EdgeAgent.Diagnostics;

/// <summary>Round trips by TCP connect to the ingest endpoint: used by <c>net-test</c> and the compliance network probe.</summary>
public static class TcpConnectTimer
{
    public sealed record Result(string Host, int Port, int Attempts, IReadOnlyList<double> SamplesMs, string? LastError)
    {
        public int Failures => Attempts - SamplesMs.Count;
    }

    /// <summary>The ingest endpoint: the uplink URL's port at <c>stream.ingestHost</c> or the URL's host; false when no uplink is configured.</summary>
    public static bool TryIngestEndpoint(StreamOptions stream, out string host, out int port)
    {
        host = "";
        port = 0;
        if (!Uri.TryCreate(stream.UplinkUrl ?? "", UriKind.Absolute, out var uplink) || uplink.Port <= 0) return false;
        host = stream.IngestHost ?? uplink.Host;
        port = uplink.Port;
        return true;
    }

    public static async Task<Result> MeasureAsync(string host, int port, int count, TimeSpan timeout, CancellationToken ct)
    {
        var samples = new List<double>();
        string? lastError = null;
        for (var i = 0; i < count; i++)
        {
            using var client = new TcpClient();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attempt.CancelAfter(timeout);
            var clock = Stopwatch.StartNew();
            try
            {
                await client.ConnectAsync(host, port, attempt.Token).ConfigureAwait(false);
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                lastError = e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : e.Message;
            }
        }
        return new Result(host, port, count, samples, lastError);
    }
}
