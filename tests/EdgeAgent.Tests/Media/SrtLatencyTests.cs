using EdgeAgent.Media.Link;

namespace EdgeAgent.Tests.Media;

/// <summary>Epiphan's rule for SRT latency from the measured path, and how the agent applies it.</summary>
public sealed class SrtLatencyTests
{
    [Theory]
    [InlineData(300, 3, 1200)] // the weak rural link of the issue: RTT × 4
    [InlineData(20, 0.5, 80)] // a good link: RTT × 3 = 60, the floor is 80
    [InlineData(100, 1, 300)] // up to 1 %: × 3
    [InlineData(100, 1.01, 400)] // above 1 %: × 4
    [InlineData(100, 7, 500)] // up to 7 %: × 5
    [InlineData(100, 10, 600)] // up to 10 %: × 6
    [InlineData(100, 25, 600)] // the rule ends at × 6
    [InlineData(0, 0, 80)]
    public void The_rule_multiplies_the_round_trip_by_the_loss_band_with_a_floor_of_80_ms(double rtt, double loss, int expected) =>
        Assert.Equal(expected, SrtLatency.Rule(rtt, loss));

    [Fact]
    public void A_measured_path_gives_the_rule_within_the_configured_bounds_and_says_why()
    {
        var at = new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero);
        var path = new LinkPath(at, LinkPaths.Compliance, 300, 3, 2, 8);
        var choice = SrtLatency.Choose(path, 80, 4000, null);
        Assert.Equal(1200, choice.Ms);
        Assert.Contains("compliance probe 2026-12-06 02:00Z: RTT 300 ms, loss 3 % → RTT × 4 = 1200 ms", choice.Reason);

        var bounded = SrtLatency.Choose(path, 80, 1000, null);
        Assert.Equal(1000, bounded.Ms);
        Assert.Contains("kept within 80-1000 ms", bounded.Reason);
    }

    [Fact]
    public void A_fixed_latency_wins_and_no_measurement_starts_from_libsrts_default()
    {
        Assert.Equal(500, SrtLatency.Choose(new LinkPath(DateTimeOffset.UnixEpoch, "x", 300, 3, null, null), 80, 4000, 500).Ms);
        var guess = SrtLatency.Choose(null, 80, 4000, null);
        Assert.Equal(120, guess.Ms);
        Assert.Contains("no path measured yet", guess.Reason);
    }
}
