using EdgeAgent.Media.Link;

namespace EdgeAgent.Tests.Media;

/// <summary>
/// The ladder's decisions from the SRT sender's seconds, on a clock the test moves: down within the three-second
/// window when the link cannot carry the rung, to the rung the estimate carries; up after a calm minute; not for the
/// ordinary retransmissions of a lossy link.
/// </summary>
public sealed class LadderPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 2, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<Rung> Rungs = [new(0, 1280, 720, 2500, 128), new(1, 1280, 720, 1200, 128), new(2, 640, 360, 300, 64)];

    /// <summary>A second at <paramref name="at"/> seconds after T0 on a link that carries it (300 ms round trip, 3 % loss).</summary>
    private static LinkSecond Calm(int at, double bandwidth = 0) => new(T0.AddSeconds(at), 200, 6, 6, 0, 700, 300, bandwidth, 2.6);

    private static IReadOnlyList<LinkSecond> Window(int now, Func<int, LinkSecond> second) => Enumerable.Range(now - 3, 3).Select(second).ToList();

    [Fact]
    public void A_lossy_link_that_carries_the_rung_keeps_it()
    {
        var policy = new LadderPolicy(Rungs, TimeSpan.FromSeconds(60), 1, T0);
        // 3 % loss and its retransmissions, a buffer of two round trips, no drops: nothing to do for a minute...
        for (var t = 5; t < 60; t++) Assert.Null(policy.Evaluate(T0.AddSeconds(t), Window(t, s => Calm(s)), 300));
    }

    [Fact]
    public void Packets_dropped_as_too_late_in_two_seconds_move_down_one_rung_when_the_link_says_nothing_of_its_bandwidth()
    {
        var policy = new LadderPolicy(Rungs, TimeSpan.FromSeconds(60), 0, T0);
        var move = policy.Evaluate(T0.AddSeconds(10), Window(10, s => Calm(s) with { Dropped = s == 9 ? 12 : 0 }), 300);
        Assert.Null(move); // one second of drops in the window is not yet two
        move = policy.Evaluate(T0.AddSeconds(11), Window(11, s => Calm(s) with { Dropped = s >= 9 ? 12 : 0 }), 300);
        Assert.NotNull(move);
        Assert.Equal((0, 1), (move.From, move.To));
        Assert.Contains("dropped 24 packets too late", move.Reason);
    }

    [Fact]
    public void A_bandwidth_estimate_under_the_need_jumps_to_the_rung_it_carries()
    {
        var policy = new LadderPolicy(Rungs, TimeSpan.FromSeconds(60), 1, T0);
        // The link collapses to 0.5 Mbit/s: the estimate says so; the lowest rung (0.40 Mbit/s with headers) fits.
        var move = policy.Evaluate(T0.AddSeconds(20), Window(20, s => Calm(s, bandwidth: 0.5)), 300);
        Assert.NotNull(move);
        Assert.Equal((1, 2), (move.From, move.To));
        Assert.Contains("estimate 0.5 Mbit/s is under the 1.46 Mbit/s the rung needs", move.Reason);
    }

    [Fact]
    public void A_send_buffer_that_keeps_growing_past_three_round_trips_moves_down()
    {
        var policy = new LadderPolicy(Rungs, TimeSpan.FromSeconds(60), 0, T0);
        Assert.Null(policy.Evaluate(T0.AddSeconds(10), Window(10, s => Calm(s) with { BufferMs = 1000 }), 300)); // high but not growing
        var move = policy.Evaluate(T0.AddSeconds(10), Window(10, s => Calm(s) with { BufferMs = 1000 + 200 * s }), 300);
        Assert.NotNull(move);
        Assert.Contains("send buffer grew to 2800 ms", move.Reason);
    }

    [Fact]
    public void After_a_move_the_new_rung_gets_its_window_before_the_next_down()
    {
        var policy = new LadderPolicy(Rungs, TimeSpan.FromSeconds(60), 0, T0);
        var dropping = (int s) => Calm(s) with { Dropped = 5 };
        Assert.NotNull(policy.Evaluate(T0.AddSeconds(10), Window(10, dropping), 300));
        policy.Moved(1, T0.AddSeconds(11));
        // The seconds before the move, and the first of the new rung, are not held against it.
        Assert.Null(policy.Evaluate(T0.AddSeconds(13), Window(13, dropping), 300));
        Assert.NotNull(policy.Evaluate(T0.AddSeconds(16), Window(16, dropping), 300));
    }

    [Fact]
    public void A_calm_minute_moves_up_to_what_the_estimate_carries_and_not_past_it()
    {
        var policy = new LadderPolicy(Rungs, TimeSpan.FromSeconds(60), 2, T0);
        // A 2 Mbit/s link: the middle rung (1.46 Mbit/s × 1.25 = 1.83) fits, the top (2.89) does not.
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
    public void Back_on_a_clean_link_a_calm_minute_goes_straight_to_the_top()
    {
        var policy = new LadderPolicy(Rungs, TimeSpan.FromSeconds(60), 2, T0);
        var move = policy.Evaluate(T0.AddSeconds(60), Window(60, s => Calm(s, bandwidth: 40)), 20);
        Assert.NotNull(move);
        Assert.Equal((2, 0), (move.From, move.To));
    }
}
