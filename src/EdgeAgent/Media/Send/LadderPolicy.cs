using System.Globalization;
using EdgeAgent.Media.Link;

namespace EdgeAgent.Media.Send;

/// <summary>A move on the ladder: to which rung, and why in words (the event's and the log's detail).</summary>
public sealed record LadderMove(int From, int To, string Reason)
{
    public bool Down => To > From;
}

/// <summary>
/// Decides, once a second, which rung the uplink should send, from the SRT sender's last seconds
/// (<see cref="LinkMeter.Recent"/>). Pure: the clock and the figures come in, a move (or none) goes out.
/// <list type="bullet">
/// <item><b>Down</b>, as soon as three seconds show that the link cannot carry the rung: the sender dropped packets
/// (they were too late) in two of them; or the link's bandwidth estimate stayed under what the rung needs; or the send
/// buffer stayed well above what the path's round trip and its ordinary retransmissions explain and kept growing. The
/// move goes to the highest rung the estimate carries (at least one down), so a link that collapses reaches the
/// lowest rung in one move: detection in about three seconds, the switch at the next keyframe.</item>
/// <item><b>Up</b>, after <c>stream.ladder.upAfterSeconds</c> (60) without any of those signs, to the highest rung the
/// bandwidth estimate carries with a quarter to spare (at least one up when the estimate says nothing).</item>
/// </list>
/// </summary>
public sealed class LadderPolicy(IReadOnlyList<Rung> rungs, TimeSpan upAfter, int startRung, DateTimeOffset startedAt)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(3);
    /// <summary>Headroom an estimate must leave above a rung's need to move up to it.</summary>
    public const double UpHeadroom = 1.25;

    private DateTimeOffset _calmSince = startedAt;
    private DateTimeOffset _movedAt = startedAt;

    public int Current { get; private set; } = Math.Clamp(startRung, 0, rungs.Count - 1);
    public IReadOnlyList<Rung> Rungs => rungs;

    /// <summary>Tells the policy that the switch it asked for is done (or that the rung changed for another reason).</summary>
    public void Moved(int to, DateTimeOffset at)
    {
        Current = to;
        _movedAt = at;
        _calmSince = at;
    }

    /// <param name="recent">The sender's last full seconds, oldest first (<see cref="LinkMeter.Recent"/> over <see cref="Window"/>).</param>
    /// <param name="baseRttMs">The smallest round trip of the connection (the path without queues).</param>
    public LadderMove? Evaluate(DateTimeOffset now, IReadOnlyList<LinkSecond> recent, double? baseRttMs)
    {
        if (rungs.Count < 2) return null;
        // The rung in place must have had the window to show what it does (the buffers of the previous one drain).
        var settled = now - _movedAt >= Window + TimeSpan.FromSeconds(1);
        var seconds = recent.Where(s => s.At >= _movedAt).ToList();
        var need = rungs[Current].NeededMbps;
        var estimate = Estimate(seconds);
        if (settled && seconds.Count >= 2 && Trouble(seconds, need, estimate, baseRttMs) is { } why)
        {
            _calmSince = now;
            if (Current == rungs.Count - 1) return null;
            var to = Math.Max(Current + 1, estimate is { } e ? HighestFitting(e, 1.0) ?? rungs.Count - 1 : Current + 1);
            return new LadderMove(Current, to, why);
        }
        if (Current > 0 && now - _calmSince >= upAfter)
        {
            var to = estimate is { } e ? HighestFitting(e, UpHeadroom) is { } fit && fit < Current ? fit : Current : Current - 1;
            if (to < Current)
                return new LadderMove(Current, to, string.Create(CultureInfo.InvariantCulture,
                    $"{(now - _calmSince).TotalSeconds:0} s without congestion{(estimate is { } b ? $", the link's estimate {b:0.##} Mbit/s carries it" : "")}"));
            _calmSince = now; // the estimate says no: look again after another calm stretch
        }
        return null;
    }

    /// <summary>The link's bandwidth estimate over the window (median), when SRT has given one.</summary>
    private static double? Estimate(IReadOnlyList<LinkSecond> seconds)
    {
        var values = seconds.Where(s => s.BandwidthMbps > 0).Select(s => s.BandwidthMbps).Order().ToList();
        return values.Count == 0 ? null : values[values.Count / 2];
    }

    private int? HighestFitting(double estimateMbps, double headroom)
    {
        for (var i = 0; i < rungs.Count; i++)
            if (rungs[i].NeededMbps * headroom <= estimateMbps) return i;
        return null;
    }

    private static string? Trouble(IReadOnlyList<LinkSecond> seconds, double needMbps, double? estimate, double? baseRttMs)
    {
        var inv = CultureInfo.InvariantCulture;
        var dropping = seconds.Count(s => s.Dropped > 0);
        if (dropping >= 2)
            return string.Create(inv, $"the sender dropped {seconds.Sum(s => s.Dropped)} packets too late to send in {dropping} of the last {seconds.Count} s");
        if (estimate is { } e && e < needMbps && seconds.Count(s => s.BandwidthMbps > 0 && s.BandwidthMbps < needMbps) >= 2)
            return string.Create(inv, $"the link's bandwidth estimate {e:0.##} Mbit/s is under the {needMbps:0.##} Mbit/s the rung needs");
        // Lost packets wait for their retransmission a round trip or two: a buffer of up to three round trips is ordinary.
        if (baseRttMs is { } rtt && seconds.Count >= 3)
        {
            var limit = 3 * rtt + 150;
            var last = seconds.TakeLast(3).ToList();
            if (last.All(s => s.BufferMs > limit) && last[2].BufferMs > last[0].BufferMs)
                return string.Create(inv, $"the send buffer grew to {last[2].BufferMs:0} ms (the path's round trip is {rtt:0} ms)");
        }
        return null;
    }
}
