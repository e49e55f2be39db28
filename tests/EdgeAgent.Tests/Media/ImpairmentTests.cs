using EdgeAgent.Simulators.Network;

namespace EdgeAgent.Tests.Media;

/// <summary>The simulated link's words, as edgeagent-sim's --link and its control pipe take them.</summary>
public sealed class ImpairmentTests
{
    [Fact]
    public void A_link_is_written_as_delay_loss_and_rate_and_anything_else_is_refused_with_the_reason()
    {
        var link = Impairment.Parse("delay=150,loss=3,rate=0.5", out var problem);
        Assert.Null(problem);
        Assert.Equal(new Impairment(TimeSpan.FromMilliseconds(150), Loss: 0.03, RateMbps: 0.5), link);
        Assert.Null(Impairment.Parse("delay=150,rate=0", out _)!.RateMbps); // 0: no limit
        Assert.Null(Impairment.Parse("delay=150,loss=300", out problem));
        Assert.Contains("known are delay, jitter, loss (0-100), rate, queue", problem);
        Assert.Null(Impairment.Parse("delay", out problem));
        Assert.Contains("is not NAME=NUMBER", problem);
    }
}
