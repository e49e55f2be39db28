using System.Text.Json;

namespace EdgeAgent.Media.Link;

/// <summary>
/// One statistics report of an SRT connection, as libsrt's <c>srt-live-transmit -pf:json</c> prints it (one JSON object
/// per line, the fields of <c>srt_bstats</c>). Counters are for the interval since the previous report (the report clears
/// them); <see cref="RttMs"/>, <see cref="BandwidthMbps"/>, the buffers and the latency are current values.
/// </summary>
public sealed record SrtSample(
    long TimeMs, double RttMs, double BandwidthMbps,
    long SentPackets, long SentUnique, long SendLost, long SendDropped, long Retransmitted, long SentBytesUnique, double SendBufferMs, double SendMbps,
    long ReceivedPackets, long ReceivedUnique, long ReceiveLost, long ReceiveDropped, long ReceivedRetransmitted, long ReceivedBytesUnique,
    double ReceiveBufferMs, double ReceiveMbps, int LatencyMs)
{
    /// <summary>The report of one line, or null when the line is not one (a log line, a broken line).</summary>
    public static SrtSample? Parse(string line)
    {
        if (line.Length < 2 || line[0] != '{') return null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (!root.TryGetProperty("link", out var link) || !root.TryGetProperty("send", out var send) || !root.TryGetProperty("recv", out var recv))
                return null;
            return new SrtSample(
                Long(root, "time"), Double(link, "rtt"), Double(link, "bandwidth"),
                Long(send, "packets"), Long(send, "packetsUnique"), Long(send, "packetsLost"), Long(send, "packetsDropped"), Long(send, "packetsRetransmitted"),
                Long(send, "bytesUnique"), Double(send, "msBuf"), Double(send, "mbitRate"),
                Long(recv, "packets"), Long(recv, "packetsUnique"), Long(recv, "packetsLost"), Long(recv, "packetsDropped"), Long(recv, "packetsRetransmitted"),
                Long(recv, "bytesUnique"), Double(recv, "msBuf"), Double(recv, "mbitRate"), (int)Long(recv, "msTsbPdDelay"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static long Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;

    private static double Double(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : 0;
}
