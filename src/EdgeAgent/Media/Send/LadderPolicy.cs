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
/// <item><b>Down</b> after two congested seconds in a row. A second is congested when the sender dropped packets as
/// too late (at least 3 and 2 % of what it sent: on a lossy link a packet now and then is lost on every try, which
/// says nothing of the rate), or had to send again well over the path's own loss (15 points over it), or the round
/// trip grew past half again the path's own plus 50 ms while retransmissions rose 5 points over the path's loss — a
/// queue filling at the bottleneck, which a drop-tail queue turns into loss. The move goes to the rung that what still
/// got through can carry (the rung's need less the share sent again beyond the path's own loss; a share still rising
/// is carried one second on, since loss reports trail the packets by a round trip), at least one down: a
/// link that collapses reaches the lowest rung in one move, some three seconds after it collapsed, the switch itself
/// at the next keyframe. After a move down the backlog gets two seconds to drain before the new rung is judged.</item>
/// <item><b>Up</b> after <c>stream.ladder.upAfterSeconds</c> (60) without congestion (two congested seconds in a row; a
/// second of under 40 packets is not judged by its shares), to the highest rung SRT's bandwidth estimate carries with
/// a quarter to spare (one up when there is no estimate). The estimate (packet pairs over some 15 s) is too slow to go
/// down by, but over a calm minute it has seen the link as it is.</item>
/// </list>
/// Measured on the impairment relay (tests): 0.5 Mbit/s after 2.5 — round trip 40 → 300 ms and 35 %, then 64 % sent again
/// within two seconds, while SRT's estimate took 14 s to come down.
/// </summary>
public sealed class LadderPolicy(IReadOnlyList<Rung> rungs, TimeSpan upAfter, int startRung, DateTimeOffset startedAt, double pathLossPercent = 0)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(4);
    /// <summary>Headroom an estimate must leave above a rung's need to move up to it.</summary>
    public const double UpHeadroom = 1.25;
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(2);
    private const int MinPacketsToJudge = 40;
    private const int MinDropped = 3;
    private const double MinDroppedShare = 0.02;

    private DateTimeOffset _calmSince = startedAt;
    private DateTimeOffset _judgeFrom = startedAt;

    public int Current { get; private set; } = Math.Clamp(startRung, 0, rungs.Count - 1);
    public IReadOnlyList<Rung> Rungs => rungs;

    /// <summary>Tells the policy that the switch it asked for is done (or that the rung changed for another reason).</summary>
    public void Moved(int to, DateTimeOffset at)
    {
        // After a move down the queue the old rung built still drains for a moment; after a move up the new rung is judged at once.
        _judgeFrom = to > Current ? at + Drain : at;
        Current = to;
        _calmSince = at;
    }

    /// <param name="recent">The sender's last full seconds, oldest first (<see cref="LinkMeter.Recent"/> over <see cref="Window"/>).</param>
    /// <param name="baseRttMs">The smallest round trip of the connection (the path without queues).</param>
    public LadderMove? Evaluate(DateTimeOffset now, IReadOnlyList<LinkSecond> recent, double? baseRttMs)
    {
        if (rungs.Count < 2) return null;
        var judged = recent.Where(s => s.At >= _judgeFrom).ToList();
        var congested = judged.Select(s => Congestion(s, baseRttMs)).ToList();
        if (congested.Count >= 2 && congested[^1] is not null && congested[^2] is not null)
        {
            _calmSince = now;
            if (Current == rungs.Count - 1) return null;
            // Loss reports trail the packets by a round trip, so the first seconds of a collapse understate it (11 % then
            // 45 % on the relay under load, where 83 % is lost): a share still rising is carried one second on.
            var (before, latest) = (Share(judged[^2]), Share(judged[^1]));
            var share = latest > before ? Math.Min(100, 2 * latest - before) : before;
            var carried = rungs[Current].NeededMbps * (1 - Math.Max(0, share - pathLossPercent) / 100);
            var to = Math.Max(Current + 1, HighestFitting(carried, 1.0) ?? rungs.Count - 1);
            return new LadderMove(Current, to, string.Create(CultureInfo.InvariantCulture,
                $"{congested[^1]} ({Share(judged[^2]):0} % and {Share(judged[^1]):0} % of packets sent again in the last two seconds)"));
        }
        // Only what would move the uplink down (two congested seconds in a row) breaks the calm: one odd second does not.
        if (congested.Zip(congested.Skip(1)).Any(p => p.First is not null && p.Second is not null)) _calmSince = now;
        if (Current > 0 && now - _calmSince >= upAfter)
        {
            var estimate = Estimate(recent);
            var to = estimate is { } e ? HighestFitting(e, UpHeadroom) is { } fit && fit < Current ? fit : Current : Current - 1;
            if (to < Current)
                return new LadderMove(Current, to, string.Create(CultureInfo.InvariantCulture,
                    $"{(now - _calmSince).TotalSeconds:0} s without congestion{(estimate is { } b ? $", the link's estimate {b:0.##} Mbit/s carries it" : "")}"));
            _calmSince = now; // the estimate says no: look again after another calm stretch
        }
        return null;
    }

    /// <summary>Why a second was congested, or null when it was not.</summary>
    private string? Congestion(LinkSecond s, double? baseRttMs)
    {
        var inv = CultureInfo.InvariantCulture;
        var share = Share(s);
        if (s.Dropped >= Math.Max(MinDropped, s.Sent * MinDroppedShare)) return string.Create(inv, $"the sender dropped {s.Dropped} packets too late to send");
        // A share of a handful of packets says nothing (3 retransmissions of a 360p second's 25 packets is 12 %).
        if (s.Sent < MinPacketsToJudge) return null;
        if (share > pathLossPercent + 15) return string.Create(inv, $"{share:0} % of packets had to be sent again on a path that loses {pathLossPercent:0.#} %");
        if (baseRttMs is { } rtt && s.RttMs > rtt * 1.5 + 50 && share > pathLossPercent + 5)
            return string.Create(inv, $"the round trip grew from {rtt:0} to {s.RttMs:0} ms with {share:0} % sent again: a queue filling at the bottleneck");
        return null;
    }

    private static double Share(LinkSecond s) => s.Sent <= 0 ? 0 : 100.0 * s.Retransmitted / s.Sent;

    /// <summary>The link's bandwidth estimate over the last seconds (median), when SRT has given one.</summary>
    private static double? Estimate(IReadOnlyList<LinkSecond> seconds)
    {
        var values = seconds.Where(s => s.BandwidthMbps > 0).Select(s => s.BandwidthMbps).Order().ToList();
        return values.Count == 0 ? null : values[values.Count / 2];
    }

    private int? HighestFitting(double mbps, double headroom)
    {
        for (var i = 0; i < rungs.Count; i++)
            if (rungs[i].NeededMbps * headroom <= mbps) return i;
        return null;
    }
}
