using EdgeAgent.Media.Link;

namespace EdgeAgent.Tests.Media;

/// <summary>
/// The ladder's decisions from the SRT sender's seconds, on a clock the test moves: down after two congested seconds,
/// as far as what still gets through can carry; up after a calm minute to what SRT's estimate carries; never for the
/// ordinary retransmissions of a lossy link or the queue a keyframe makes.
/// </summary>
public sealed class LadderPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 2, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<Rung> Rungs = [new(0, 1280, 720, 2500, 128), new(1, 1280, 720, 1200, 128), new(2, 640, 360, 300, 64)];

    /// <summary>A second at <paramref name="at"/> seconds after T0 on a link that carries it: 300 ms round trip, 3 % sent again.</summary>
    private static LinkSecond Calm(int at, double bandwidth = 0) => new(T0.AddSeconds(at), 200, 6, 6, 0, 700, 300, bandwidth, 2.6);

    /// <summary>The full seconds before <paramref name="now"/> (the window the agent hands over).</summary>
    private static IReadOnlyList<LinkSecond> Window(int now, Func<int, LinkSecond> second) => Enumerable.Range(now - 4, 4).Select(second).ToList();

    private static LadderPolicy Policy(int start) => new(Rungs, TimeSpan.FromSeconds(60), start, T0, pathLossPercent: 3);

    [Fact]
    public void A_lossy_link_that_carries_the_rung_keeps_it_and_so_does_a_keyframe_queue()
    {
        var policy = Policy(1);
        for (var t = 5; t < 60; t++)
        {
            // 3 % sent again (the path's own loss); a keyframe's queue adds 200 ms of round trip every other second.
            Assert.Null(policy.Evaluate(T0.AddSeconds(t), Window(t, s => Calm(s) with { RttMs = s % 2 == 0 ? 500 : 300 }), 300));
        }
    }

    [Fact]
    public void Packets_dropped_as_too_late_in_two_seconds_in_a_row_move_down_one_rung()
    {
        var policy = Policy(0);
        Assert.Null(policy.Evaluate(T0.AddSeconds(10), Window(10, s => Calm(s) with { Dropped = s == 8 ? 12 : 0 }), 300)); // one second is not yet two
        var move = policy.Evaluate(T0.AddSeconds(11), Window(11, s => Calm(s) with { Dropped = s >= 9 ? 12 : 0 }), 300);
        Assert.NotNull(move);
        Assert.Equal((0, 1), (move.From, move.To));
        Assert.Contains("the sender dropped 12 packets too late to send", move.Reason);
    }

    [Fact]
    public void A_packet_now_and_then_lost_on_every_try_of_a_lossy_link_is_not_congestion()
    {
        // Seen in the bench on 2 Mbit/s, 3 %, 300 ms: the middle rung fits, yet one packet a second was dropped twice in a row
        // and the first policy sent the uplink to the lowest rung for half the lesson.
        var policy = Policy(1);
        for (var t = 5; t < 60; t++)
            Assert.Null(policy.Evaluate(T0.AddSeconds(t), Window(t, s => Calm(s) with { Dropped = 2, Retransmitted = 8 }), 300));
    }

    [Fact]
    public void A_link_that_collapses_sends_the_uplink_to_the_rung_what_gets_through_can_carry()
    {
        // Measured on the relay: 0.5 Mbit/s under a 1.2 Mbit/s rung — the round trip from 40 to 330 ms, 60 % sent again.
        var policy = new LadderPolicy(Rungs, TimeSpan.FromSeconds(60), 1, T0);
        var move = policy.Evaluate(T0.AddSeconds(20), Window(20, s => s < 18 ? Calm(s) with { RttMs = 40, Retransmitted = 0 }
            : Calm(s) with { RttMs = 330, Retransmitted = 120 }), 40);
        Assert.NotNull(move);
        Assert.Equal((1, 2), (move.From, move.To)); // 1.54 Mbit/s × 40 % = 0.62: the lowest rung (0.50) in one move
        Assert.Contains("60 % of packets had to be sent again", move.Reason);
    }

    [Fact]
    public void A_collapse_whose_loss_reports_still_trail_it_goes_to_the_lowest_rung_in_one_move()
    {
        // Seen on the relay under load, 2.5 Mbit/s into 0.5: 11 % then 45 % sent again (83 % is lost; the reports trail the
        // packets by a round trip). 45 % alone would leave 1.7 Mbit/s and the middle rung, and a second move 6 s later.
        var policy = Policy(0);
        var move = policy.Evaluate(T0.AddSeconds(20), Window(20, s => s switch
        {
            < 18 => Calm(s) with { RttMs = 40, Retransmitted = 0 },
            18 => Calm(s) with { RttMs = 155, Retransmitted = 22 },
            _ => Calm(s) with { RttMs = 313, Retransmitted = 90 },
        }), 40);
        Assert.NotNull(move);
        Assert.Equal((0, 2), (move.From, move.To));
    }

    [Fact]
    public void An_overloaded_link_loses_what_it_cannot_carry_and_the_uplink_goes_to_the_rung_that_fits()
    {
        // 2.5 Mbit/s into 2: the bottleneck's queue fills, the round trip grows by its 300 ms, a quarter and more is sent again.
        var policy = Policy(0);
        var move = policy.Evaluate(T0.AddSeconds(20), Window(20, s => Calm(s) with { RttMs = 600, Retransmitted = 60 }), 300);
        Assert.NotNull(move);
        Assert.Equal((0, 1), (move.From, move.To)); // 3.05 × (100 − 30 + 3) % = 2.2: the middle rung (1.54)
        // A queue with a few more retransmissions than the path's own is congestion too.
        move = Policy(0).Evaluate(T0.AddSeconds(20), Window(20, s => Calm(s) with { RttMs = 600, Retransmitted = 20 }), 300);
        Assert.NotNull(move);
        Assert.Contains("the round trip grew from 300 to 600 ms with 10 % sent again", move.Reason);
    }

    [Fact]
    public void After_a_move_down_the_backlog_drains_before_the_new_rung_is_judged()
    {
        var policy = Policy(0);
        var dropping = (int s) => Calm(s) with { Dropped = 5 };
        Assert.NotNull(policy.Evaluate(T0.AddSeconds(10), Window(10, dropping), 300));
        policy.Moved(1, T0.AddSeconds(11));
        Assert.Null(policy.Evaluate(T0.AddSeconds(14), Window(14, dropping), 300)); // only second 13 is the new rung's own
        Assert.NotNull(policy.Evaluate(T0.AddSeconds(15), Window(15, dropping), 300));
    }

    [Fact]
    public void A_calm_minute_moves_up_to_what_the_estimate_carries_and_not_past_it()
    {
        var policy = Policy(2);
        // A 2 Mbit/s link: the middle rung (1.54 Mbit/s × 1.25 = 1.93) fits, the top (3.05) does not.
        LadderMove? move = null;
        var t = 1;
        for (; t <= 61 && move is null; t++) move = policy.Evaluate(T0.AddSeconds(t), Window(t, s => Calm(s, bandwidth: 2)), 300);
        Assert.NotNull(move);
        Assert.Equal(60, t - 1); // a minute after the start, not before
        Assert.Equal((2, 1), (move.From, move.To));
        policy.Moved(1, T0.AddSeconds(60));
        for (t = 61; t < 200; t++) Assert.Null(policy.Evaluate(T0.AddSeconds(t), Window(t, s => Calm(s, bandwidth: 2)), 300));
    }

    [Fact]
    public void Congestion_restarts_the_calm_minute_and_one_odd_second_does_not()
    {
        var policy = Policy(2);
        // On the lowest rung: two congested seconds in a row (nowhere lower to go) restart the minute...
        Assert.Null(policy.Evaluate(T0.AddSeconds(50), Window(50, s => Calm(s, bandwidth: 40) with { Dropped = s >= 47 ? 5 : 0 }), 300));
        Assert.Null(policy.Evaluate(T0.AddSeconds(100), Window(100, s => Calm(s, bandwidth: 40)), 300));
        Assert.NotNull(policy.Evaluate(T0.AddSeconds(110), Window(110, s => Calm(s, bandwidth: 40)), 300));
        // ...one second alone does not, nor does the share of a second with a handful of packets.
        policy = Policy(2);
        Assert.Null(policy.Evaluate(T0.AddSeconds(50), Window(50, s => Calm(s, bandwidth: 40) with { Dropped = s == 48 ? 5 : 0 }), 300));
        Assert.Null(policy.Evaluate(T0.AddSeconds(51), Window(51, s => s >= 49 ? new LinkSecond(T0.AddSeconds(s), 25, 5, 5, 0, 700, 300, 40, 0.3) : Calm(s, 40)), 300));
        Assert.NotNull(policy.Evaluate(T0.AddSeconds(60), Window(60, s => Calm(s, bandwidth: 40)), 300));
    }

    [Fact]
    public void Back_on_a_clean_link_a_calm_minute_goes_straight_to_the_top()
    {
        var policy = Policy(2);
        var move = policy.Evaluate(T0.AddSeconds(60), Window(60, s => Calm(s, bandwidth: 40)), 20);
        Assert.NotNull(move);
        Assert.Equal((2, 0), (move.From, move.To));
    }
}
