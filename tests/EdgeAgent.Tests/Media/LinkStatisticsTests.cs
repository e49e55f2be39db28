using System.Collections.Concurrent;
using EdgeAgent.Configuration;
using EdgeAgent.Media.Link;
using EdgeAgent.Simulators.Network;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Media;

/// <summary>
/// The uplink's SRT statistics are libsrt's own, read from srt-live-transmit: a real stream through the impairment relay
/// (UDP, 20 ms each way) to a real SRT receiver, the relay's loss set to 0 %, 3 % and 10 % in turn; the loss and
/// retransmissions the agent reports for each stretch follow what the relay did.
/// </summary>
public sealed class LinkStatisticsTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly ConcurrentQueue<StreamEvent> _events = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A small test-source stream to the relay: what is measured is the link, not the picture.</summary>
    private static StreamOptions Options(int relayPort, int kbps) => new()
    {
        VideoSource = VideoSource.Test, AudioSource = AudioSource.Test, Width = 320, Height = 180, Fps = 25, VideoBitrateKbps = kbps, AudioBitrateKbps = 64,
        GopSeconds = 1, UplinkUrl = $"srt://127.0.0.1:{relayPort}", StallSeconds = 10, StopTimeoutSeconds = 5,
    };

    [Fact]
    public async Task With_no_path_measured_the_first_seconds_of_the_connection_set_the_latency_and_the_uplink_reconnects_once()
    {
        using var receiver = new SrtReceiver(Machine.FreeUdpPort(), _dir.File("received.ts"));
        receiver.Start();
        await using var relay = new ImpairmentRelay(receiver.Port, new Impairment(TimeSpan.FromMilliseconds(100)));
        var options = Options(relay.Port, kbps: 300);
        var rec = _dir.File("rec-first");
        Directory.CreateDirectory(rec);
        var setup = StreamSetup.Create(options, new RecordingOptions { Directory = rec, SegmentSeconds = 2 }, "first-1", EncoderChoice.Libx264, null,
            TimeProvider.System, _events.Enqueue);
        Assert.Equal(120, setup.Link!.Latency.Ms); // libsrt's default while nothing is known
        await using var stream = new StreamSupervisor("first-1", setup, options, TimeProvider.System, NullLogger.Instance, _events.Enqueue);
        stream.Start();
        // A 200 ms round trip without loss: RTT × 3 = 600 ms.
        await Eventually.True(() => setup.Link.Latency.Ms != 120, TimeSpan.FromSeconds(30), "the latency from the first seconds");
        Assert.InRange(setup.Link.Latency.Ms, 570, 700);
        Assert.Contains("the connection's first seconds: RTT", setup.Link.Latency.Reason);
        await Eventually.True(() => stream.Stats.Link?.LatencyMs == setup.Link.Latency.Ms, TimeSpan.FromSeconds(30), "the uplink reconnected with it");
        Assert.Equal(0, stream.Stats.UplinkLosses); // a reconnection asked for, not a loss
        Assert.DoesNotContain(_events, e => e.Type == EventTypes.UplinkLost);
        await stream.StopAsync();
    }

    [Fact]
    public async Task Reported_loss_and_retransmissions_follow_the_loss_on_the_link()
    {
        // The receiving end is the agent's own too (srt-live-transmit reporting, as the partner player's receiver does),
        // so both legs' figures are read: what the receiver counted lost, what the sender had to send again.
        var listen = Machine.FreeUdpPort();
        var received = new LinkMeter(sending: false, TimeProvider.System);
        await using var receiver = await SrtTransmitRun.StartAsync("receiver",
            SrtTransmitRun.Args($"srt://127.0.0.1:{listen}?mode=listener&latency=400", $"udp://127.0.0.1:{Machine.FreeUdpPort()}", 10), TimeProvider.System);
        receiver.Sample += received.Add;
        await using var relay = new ImpairmentRelay(listen, new Impairment(TimeSpan.FromMilliseconds(20)));
        var options = Options(relay.Port, kbps: 600);
        options.SrtLatencyMs = 400;
        options.Ladder.Enabled = false;
        var rec = _dir.File("rec");
        Directory.CreateDirectory(rec);
        var setup = StreamSetup.Create(options, new RecordingOptions { Directory = rec, SegmentSeconds = 2 }, "stats-1", EncoderChoice.Libx264, null,
            TimeProvider.System, _events.Enqueue);
        await using var stream = new StreamSupervisor("stats-1", setup, options, TimeProvider.System, NullLogger.Instance, _events.Enqueue);
        stream.Start();
        var sent = stream.Link!.Meter;
        await Eventually.True(() => sent.Totals.Packets > 200 && received.Totals.Packets > 200, TimeSpan.FromSeconds(30), "both ends' first reports");

        var stretches = new List<(double Loss, double Lost, double SentAgain)>();
        foreach (var loss in new[] { 0, 0.03, 0.10 })
        {
            relay.Impairment = relay.Impairment with { Loss = loss };
            var (sentBefore, receivedBefore) = (sent.Totals, received.Totals);
            // Enough packets for the share to mean something: some 60 a second at this rate.
            await Eventually.True(() => received.Totals.Packets - receivedBefore.Packets >= 600, TimeSpan.FromSeconds(60), $"600 packets at {loss:P0} loss");
            var (sentAfter, receivedAfter) = (sent.Totals, received.Totals);
            stretches.Add((loss, Share(receivedBefore, receivedAfter, t => t.LossPercent), Share(sentBefore, sentAfter, t => t.RetransmitPercent)));
        }
        var report = string.Join("; ", stretches.Select(s => $"relay {s.Loss:P0}: the receiver counted {s.Lost:0.00} % lost, the sender sent {s.SentAgain:0.00} % again"));
        Console.WriteLine(report);
        // The receiver's count is the loss itself (some of the relay's dropped datagrams are SRT's own control packets).
        Assert.InRange(stretches[0].Lost, 0, 0.5);
        Assert.InRange(stretches[1].Lost, 2, 4);
        Assert.InRange(stretches[2].Lost, 7.5, 12);
        // What the sender sent again covers what was lost, and more under load (a late acknowledgement is sent again too).
        Assert.True(stretches[0].SentAgain < stretches[1].SentAgain && stretches[1].SentAgain < stretches[2].SentAgain, report);
        foreach (var s in stretches.Skip(1)) Assert.InRange(s.SentAgain, s.Lost * 0.8, s.Lost * 2.5);
        // Live, too: health shows the last ten seconds' share, and the latency in force.
        Assert.InRange(stream.Stats.Link!.LossPercent, 5, 30);
        Assert.Equal(400, stream.Stats.Link.LatencyMs);
        await stream.StopAsync();
        Assert.Equal(0, stream.Stats.UplinkLosses);
    }

    /// <summary>The share (in %) over the stretch between two totals, from their cumulative shares.</summary>
    private static double Share(LinkTotals before, LinkTotals after, Func<LinkTotals, double> percent) =>
        after.Packets == before.Packets ? 0 : (percent(after) * after.Packets - percent(before) * before.Packets) / (after.Packets - before.Packets);
}
