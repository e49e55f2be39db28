using System.Collections.Concurrent;
using EdgeAgent.Configuration;
using EdgeAgent.Media.Link;
using EdgeAgent.Simulators.Network;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Media;

/// <summary>
/// The ladder on a real link: a 720p lesson stream (three rungs from one encoder, the switch, srt-live-transmit) through
/// the impairment relay to a real SRT receiver that writes what it gets to a file. The link collapses to 0.5 Mbit/s in
/// the middle of the lesson and comes back clean; the received file is read back with ffprobe (every frame and audio
/// packet carries the sender's wall clock, so the file says when the uplink changed rung).
/// </summary>
[Collection(HeavyMedia.Name)]
public sealed class LadderOnALinkTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ConcurrentQueue<(DateTimeOffset At, StreamEvent Event)> _events = new();
    private IReadOnlyList<Rung> _rungs = [];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_link_that_falls_to_half_a_megabit_gets_the_lowest_rung_within_5_s_and_the_top_one_back_within_a_minute_of_recovering()
    {
        using var receiver = new SrtReceiver(Machine.FreeUdpPort(), _dir.File("received.ts"));
        receiver.Start();
        var clean = new Impairment(TimeSpan.FromMilliseconds(20));
        await using var relay = new ImpairmentRelay(receiver.Port, clean);
        // The room measured this path before (the compliance probe): a clean link with room for the top rung.
        var database = new StateDatabase(_dir.File("state"), NullLogger<StateDatabase>.Instance);
        database.Migrate();
        var paths = new LinkPaths(database);
        paths.Save(new LinkPath(DateTimeOffset.UtcNow.AddHours(-1), LinkPaths.Compliance, 40, 0, 20, 20));

        var options = new StreamOptions
        {
            VideoSource = VideoSource.Test, AudioSource = AudioSource.Test, Width = 1280, Height = 720, Fps = 25, VideoBitrateKbps = 2500, AudioBitrateKbps = 128,
            GopSeconds = 1, UplinkUrl = $"srt://127.0.0.1:{relay.Port}", StallSeconds = 10, StopTimeoutSeconds = 5,
        };
        var rec = _dir.File("rec");
        Directory.CreateDirectory(rec);
        void Raise(StreamEvent e) => _events.Enqueue((DateTimeOffset.UtcNow, e));
        var setup = StreamSetup.Create(options, new RecordingOptions { Directory = rec, SegmentSeconds = 10 }, "ladder-1", EncoderChoice.Libx264, paths,
            TimeProvider.System, Raise);
        Assert.Equal(0, setup.Switch!.Current); // 20 Mbit/s measured: the top rung first
        _rungs = setup.Plan.Rungs;
        var lowest = _rungs[^1].Name;
        Assert.Equal("360p 0.25 Mbit/s", lowest); // the default ladder's lowest rung, 0.37 Mbit/s on the wire
        await using var stream = new StreamSupervisor("ladder-1", setup, options, TimeProvider.System, NullLogger.Instance, Raise);
        stream.Start();
        var link = stream.Link!;
        await Eventually.True(() => link.Meter.Totals.Packets > 2000, TimeSpan.FromSeconds(60), "the top rung flowing");

        // The link falls to 0.5 Mbit/s: the lowest rung (360p at 0.25 Mbit/s, 48 kbit/s audio) within 5 s.
        var fell = DateTimeOffset.UtcNow;
        relay.Impairment = clean with { RateMbps = 0.5 };
        var down = await WaitForRungAsync(2, TimeSpan.FromSeconds(20));
        var toLowest = (down.At - fell).TotalSeconds;
        // What the policy saw, on the terminal (a failure here is read from these lines).
        foreach (var (at, e) in _events.Where(e => e.Event.Type == EventTypes.RungChanged)) Console.WriteLine($"  {(at - fell).TotalSeconds:0.0} s: {e.Detail}");
        foreach (var sec in link.Meter.Recent(TimeSpan.FromSeconds(15)))
            Console.WriteLine($"  {(sec.At - fell).TotalSeconds:0.0} s: sent {sec.Sent}, sent again {sec.Retransmitted}, dropped {sec.Dropped}, RTT {sec.RttMs:0} ms");
        Console.WriteLine($"link at 0.5 Mbit/s → lowest rung after {toLowest:0.0} s: {down.Event.Detail}");
        Assert.True(toLowest <= 5, $"the lowest rung came {toLowest:0.0} s after the link fell: {down.Event.Detail}");
        Assert.Contains("moved down", down.Event.Detail);
        // A stretch on the weak link for the sound to be judged on: 15 s sent on the lowest rung.
        await Eventually.True(() => link.Figures?.Rungs?.Single(r => r.Rung == lowest).Seconds >= 15, TimeSpan.FromSeconds(60), "15 s on the lowest rung");

        // Clean again: back up within about a minute (a calm minute on the lowest rung, then the estimate carries the top).
        var recovered = DateTimeOffset.UtcNow;
        relay.Impairment = clean;
        var up = await WaitForRungAsync(0, TimeSpan.FromSeconds(100));
        var toTop = (up.At - recovered).TotalSeconds;
        Console.WriteLine($"link clean again → top rung after {toTop:0.0} s: {up.Event.Detail}");
        Assert.True(toTop <= 75, $"the top rung came back {toTop:0.0} s after the link recovered");
        var flowing = link.Meter.Totals.Packets;
        await Eventually.True(() => link.Meter.Totals.Packets > flowing + 1000, TimeSpan.FromSeconds(30), "the top rung flowing again");
        await stream.StopAsync();
        receiver.Kill();

        var figures = link.Figures!;
        Assert.Equal(2, figures.RungSwitches);
        Assert.True(figures.Rungs!.Single(r => r.Rung == lowest).Seconds > 15, "time on the lowest rung");

        // What the receiver got: the picture 720 → 360 → 720 lines, and the sound continuous from the switch down on.
        var received = await ReceivedStream.ReadAsync(receiver.File);
        var heights = received.Video.Select(f => f.Height).Aggregate(new List<int>(), (l, h) => { if (l.Count == 0 || l[^1] != h) l.Add(h); return l; });
        Assert.Equal([720, 360, 720], heights);
        var lowFrom = received.Video.First(f => f.Height == 360).Pts;
        var lowTo = received.Video.Last(f => f.Height == 360).Pts;
        // The sender never leaves the sound out (every rung carries it, and the switch hands it over between whole frames),
        // but the link may still lose a packet for good: the first half second on the lowest rung crosses the relay's queue
        // behind the top rung's backlog, and the 80 ms SRT latency chosen for the clean path cannot wait for a resend
        // through a 300 ms queue. (The first ladder's lowest rung needed 0.5 Mbit/s on the wire and lost a sound frame in
        // ten for as long as the link stayed weak: this is what caught it.) One SRT packet holds at most seven TS packets,
        // so one lost for good costs at most seven audio frames (a gap of eight, 170 ms). The sound goes on: no longer
        // gap, and nearly all of it there.
        var audio = received.AudioPts.Where(s => s >= lowFrom && s <= lowTo).ToList();
        var gap = ReceivedStream.LongestGap(audio);
        var frame = audio.Zip(audio.Skip(1), (a, b) => b - a).Order().ElementAt(audio.Count / 2);
        var present = audio.Count * frame / (lowTo - lowFrom);
        var fellAt = fell.ToUnixTimeMilliseconds() / 1000.0 % PlayerPipeline.TimestampWrapSeconds; // the stamps' own clock (MPEG-TS wraps)
        var collapse = ReceivedStream.LongestGap(received.AudioPts, fellAt - 1, lowFrom + 1);
        Console.WriteLine($"sound on the lowest rung: longest gap {gap * 1000:0} ms, {present:P1} of the time there; while the link collapsed, before the switch: longest gap {collapse * 1000:0} ms");
        Assert.True(gap <= 8 * frame + 0.005, $"the sound stopped for {gap * 1000:0} ms on the lowest rung");
        Assert.True(present >= 0.98, $"the sound was there for {present:P1} of the time on the lowest rung");
    }

    private async Task<(DateTimeOffset At, StreamEvent Event)> WaitForRungAsync(int rung, TimeSpan timeout)
    {
        var name = $"to {_rungs[rung].Name}";
        (DateTimeOffset, StreamEvent)? found = null;
        await Eventually.True(() =>
        {
            found = _events.LastOrDefault(e => e.Event.Type == EventTypes.RungChanged && e.Event.Detail.Contains(name, StringComparison.Ordinal));
            return found?.Item2 is not null;
        }, timeout, $"rung-changed {name}");
        return found!.Value;
    }
}
