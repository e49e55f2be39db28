namespace EdgeAgent.Media.Link;

/// <summary>One second of an SRT leg, from the reports that arrived in it.</summary>
public sealed record LinkSecond(DateTimeOffset At, long Sent, long Lost, long Retransmitted, long Dropped, double BufferMs, double RttMs, double BandwidthMbps, double Mbps);

/// <summary>An SRT leg right now: the last ten seconds' rates and the newest gauges.</summary>
public sealed record LinkNow(double RttMs, double Mbps, double LossPercent, double RetransmitPercent, long DroppedPackets, double BufferMs, double BandwidthMbps, int LatencyMs);

/// <summary>An SRT leg over a whole lesson.</summary>
public sealed record LinkTotals(
    double? RttP50Ms, double? RttP95Ms, double? MinRttMs, double LossPercent, double RetransmitPercent, long DroppedPackets, long Packets, double? BandwidthP50Mbps,
    int Samples, int SecondsWithDrops = 0, long Bytes = 0);

/// <summary>
/// Collects one SRT leg's statistics (<see cref="SrtSample"/>s, counters per report interval) over a lesson, across the
/// restarts of the process that carries it: the totals for the lesson record, the last seconds for the ladder's
/// decisions, the latest figures for health. Sent or received decides which side's counters count.
/// </summary>
public sealed class LinkMeter(bool sending, TimeProvider time)
{
    private const int KeepSeconds = 30;
    private const int MaxRttSamples = 50_000;
    private readonly Lock _gate = new();
    private readonly LinkedList<LinkSecond> _seconds = new();
    private readonly List<double> _rtt = [];
    private readonly List<double> _bandwidth = [];
    private long _packets, _lost, _retransmitted, _dropped, _bytes;
    private SrtSample? _latest;
    private int _samples, _secondsWithDrops;
    private DateTimeOffset _lastDropSecond;

    public bool Sending => sending;

    /// <summary>Whether any report came in (an RTMP leg, or an SRT leg that never connected, has none).</summary>
    public bool Measured { get { lock (_gate) return _samples > 0; } }

    public void Add(SrtSample s)
    {
        var at = time.GetUtcNow();
        var second = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        // The sender's own loss counter counts loss reports, and live mode reports a loss more than once (at once and again
        // in the periodic NAK report: measured here twice the relay's loss, SRT issue #701). What the receiver missed is what
        // had to be sent again: on the uplink the loss is the share of packets retransmitted.
        var (packets, lost, retransmitted, dropped, buffer, mbps) = sending
            ? (s.SentUnique, s.Retransmitted, s.Retransmitted, s.SendDropped, s.SendBufferMs, s.SendMbps)
            : (s.ReceivedUnique, s.ReceiveLost, s.ReceivedRetransmitted, s.ReceiveDropped, s.ReceiveBufferMs, s.ReceiveMbps);
        lock (_gate)
        {
            _samples++;
            _latest = s;
            _packets += packets;
            _lost += lost;
            _retransmitted += retransmitted;
            _dropped += dropped;
            _bytes += sending ? s.SentBytesUnique : s.ReceivedBytesUnique;
            if (dropped > 0 && second != _lastDropSecond)
            {
                _secondsWithDrops++;
                _lastDropSecond = second;
            }
            if (s.RttMs > 0 && _rtt.Count < MaxRttSamples) _rtt.Add(s.RttMs);
            if (s.BandwidthMbps > 0 && _bandwidth.Count < MaxRttSamples) _bandwidth.Add(s.BandwidthMbps);
            var last = _seconds.Last?.Value;
            if (last is not null && last.At == second)
                _seconds.Last!.Value = last with
                {
                    Sent = last.Sent + packets, Lost = last.Lost + lost, Retransmitted = last.Retransmitted + retransmitted, Dropped = last.Dropped + dropped,
                    BufferMs = Math.Max(last.BufferMs, buffer), RttMs = s.RttMs, BandwidthMbps = s.BandwidthMbps, Mbps = mbps,
                };
            else _seconds.AddLast(new LinkSecond(second, packets, lost, retransmitted, dropped, buffer, s.RttMs, s.BandwidthMbps, mbps));
            while (_seconds.First is { } first && first.Value.At < second - TimeSpan.FromSeconds(KeepSeconds)) _seconds.RemoveFirst();
        }
    }

    /// <summary>The seconds (with reports) of the last <paramref name="window"/>, oldest first, the current unfinished second left out.</summary>
    public IReadOnlyList<LinkSecond> Recent(TimeSpan window)
    {
        var now = time.GetUtcNow();
        var current = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        lock (_gate) return _seconds.Where(s => s.At < current && s.At >= current - window).ToList();
    }

    /// <summary>The smallest round trip seen so far: the path's own, without queues.</summary>
    public double? MinRttMs { get { lock (_gate) return _rtt.Count == 0 ? null : _rtt.Min(); } }

    public LinkNow? Now
    {
        get
        {
            var recent = Recent(TimeSpan.FromSeconds(10));
            lock (_gate)
            {
                if (_latest is not { } s) return null;
                var sent = recent.Sum(r => r.Sent);
                return new LinkNow(Math.Round(s.RttMs, 1), Math.Round(recent.Count == 0 ? 0 : recent.Average(r => r.Mbps), 3),
                    Percent(recent.Sum(r => r.Lost), sent), Percent(recent.Sum(r => r.Retransmitted), sent), _dropped,
                    Math.Round(sending ? s.SendBufferMs : s.ReceiveBufferMs), Math.Round(s.BandwidthMbps, 3), s.LatencyMs);
            }
        }
    }

    public LinkTotals Totals
    {
        get
        {
            lock (_gate)
            {
                var rtt = _rtt.Order().ToList();
                var bandwidth = _bandwidth.Order().ToList();
                return new LinkTotals(Percentile(rtt, 50), Percentile(rtt, 95), rtt.Count == 0 ? null : rtt[0], Percent(_lost, _packets),
                    Percent(_retransmitted, _packets), _dropped, _packets, Percentile(bandwidth, 50), _samples, _secondsWithDrops, _bytes);
            }
        }
    }

    private static double Percent(long part, long whole) => whole <= 0 ? 0 : Math.Round(100.0 * part / whole, 2);

    /// <summary>Nearest-rank percentile of sorted values; null when there are none.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return null;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)], 1);
    }
}
