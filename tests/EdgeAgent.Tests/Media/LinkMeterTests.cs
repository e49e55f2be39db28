using EdgeAgent.Media.Link;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Media;

/// <summary>libsrt's statistics as srt-live-transmit prints them, read and summed.</summary>
public sealed class LinkMeterTests
{
    // One report of srt-live-transmit 1.5.1 (-pf:json), as printed on this machine by the sender of a 0.8 Mbit/s stream.
    private const string Report = """{"sid":800129884,"timepoint":"2026-12-06T11:46:51.958516+0000","time":1298,"window":{"flow":8171,"congestion":8192,"flight":0},"link":{"rtt":0.212,"bandwidth":10.884,"maxBandwidth":1000},"send":{"packets":46,"packetsUnique":46,"packetsLost":0,"packetsDropped":0,"packetsRetransmitted":0,"packetsFilterExtra":0,"bytes":54476,"bytesUnique":54476,"bytesDropped":0,"byteAvailBuf":12286500,"msBuf":1,"mbitRate":0.335675,"sendPeriod":11},"recv":{"packets":0,"packetsUnique":0,"packetsLost":0,"packetsDropped":0,"packetsRetransmitted":0,"packetsBelated":0,"packetsFilterExtra":0,"packetsFilterSupply":0,"packetsFilterLoss":0,"bytes":0,"bytesUnique":0,"bytesLost":0,"bytesDropped":0,"byteAvailBuf":12286500,"msBuf":0,"mbitRate":0,"msTsbPdDelay":200}}""";

    [Fact]
    public void A_report_line_is_read_field_by_field_and_anything_else_is_not_a_report()
    {
        var s = SrtSample.Parse(Report);
        Assert.NotNull(s);
        Assert.Equal((46, 46, 54476L, 0.212, 10.884, 200), (s.SentPackets, s.SentUnique, s.SentBytesUnique, s.RttMs, s.BandwidthMbps, s.LatencyMs));
        Assert.Null(SrtSample.Parse("SRT target connected"));
        Assert.Null(SrtSample.Parse("{\"sid\":1,"));
        Assert.Null(SrtSample.Parse("{}"));
    }

    [Fact]
    public void Reports_are_summed_per_second_and_over_the_lesson()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero));
        var meter = new LinkMeter(sending: true, time);
        var baseline = SrtSample.Parse(Report)!;
        foreach (var rtt in new[] { 300.0, 310, 320, 900 })
        {
            // Each report: 100 packets, 3 lost, 4 retransmitted; one second in three a packet dropped as too late.
            meter.Add(baseline with { RttMs = rtt, SentUnique = 100, SendLost = 3, Retransmitted = 4, SendDropped = rtt == 900 ? 1 : 0, SendBufferMs = rtt * 2 });
            meter.Add(baseline with { RttMs = rtt, SentUnique = 100, SendLost = 3, Retransmitted = 4, SendBufferMs = rtt * 2 + 10 });
            time.Advance(TimeSpan.FromSeconds(1));
        }
        var seconds = meter.Recent(TimeSpan.FromSeconds(10));
        Assert.Equal(4, seconds.Count);
        Assert.All(seconds, s => Assert.Equal(200, s.Sent));
        Assert.Equal(1810, seconds[^1].BufferMs); // the highest of the second
        var totals = meter.Totals;
        Assert.Equal(800, totals.Packets);
        Assert.Equal(4.0, totals.LossPercent); // on the sender: what had to be sent again (its loss counter counts reports)
        Assert.Equal(4.0, totals.RetransmitPercent);
        Assert.Equal(1, totals.DroppedPackets);
        Assert.Equal((310.0, 900.0, 300.0), (totals.RttP50Ms!.Value, totals.RttP95Ms!.Value, totals.MinRttMs!.Value));
        Assert.Equal(4.0, meter.Now!.LossPercent);
    }
}
