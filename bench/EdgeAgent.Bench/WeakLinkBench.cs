using System.Globalization;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Media.Link;
using EdgeAgent.Media.Play;
using EdgeAgent.Media.Send;
using EdgeAgent.Simulators.Network;
using EdgeAgent.State;
using Microsoft.Extensions.Logging.Abstractions;
using static EdgeAgent.Bench.BenchProcesses;
using static EdgeAgent.Bench.BenchTable;

namespace EdgeAgent.Bench;

/// <summary>
/// The weak-link suite: a 720p25 lesson stream (the agent's own pipeline: encoder with the ladder's rungs, switch,
/// srt-live-transmit) through the impairment relay to a partner player (srt-live-transmit listening, mpv offscreen),
/// for each link of the issue, once adaptive and once at the top rung's fixed bitrate. The room "measured" each link
/// before, as its compliance probe would: the latency and first rung come from that. Then what the rungs cost libx264.
/// </summary>
internal static class WeakLinkBench
{
    private static readonly (double Mbps, double LossPercent, double RttMs)[] Links = [(10, 0, 20), (4, 1, 100), (2, 3, 300), (1, 5, 400), (0.5, 3, 300)];

    /// <param name="onlyMbps">One link only (its rate), for looking into one row; null: every link and the encoder's CPU.</param>
    public static async Task<List<string>> RunAsync(int seconds, double? onlyMbps = null)
    {
        var rows = new List<string>();
        var root = Path.Combine(Path.GetTempPath(), $"edgeagent-weak-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        try
        {
            foreach (var link in Links.Where(l => onlyMbps is null || l.Mbps == onlyMbps))
            {
                foreach (var adaptive in new[] { true, false })
                {
                    var r = await RunOneAsync(root, link, adaptive, seconds);
                    var inv = CultureInfo.InvariantCulture;
                    rows.Add(string.Create(inv,
                        $"| {link.Mbps:0.#} Mbit/s, {link.LossPercent:0} %, {link.RttMs:0} ms | {(adaptive ? "adaptive" : "fixed 2.5 Mbit/s")} | {r.ReceivedMbps:0.00} | {r.StallPer10Min:0.0} | {r.DamagedPer10Min:0} | {(r.LatencyP95 is { } l ? $"{l:0}" : "-")} | {r.Rungs} |"));
                    Console.WriteLine(rows[^1]);
                }
            }
            if (onlyMbps is not null) return rows;
            rows.Add("");
            rows.Add("| encoder at 720p25 (testsrc2) | CPU seconds per media second | | |");
            rows.Add("|---|---|---|---|");
            var one = await EncoderCpuAsync(root, ladder: false, seconds: 30);
            var three = await EncoderCpuAsync(root, ladder: true, seconds: 30);
            rows.Add(Row("one rung (2.5 Mbit/s)", F(one), "", ""));
            rows.Add(Row("three rungs (2.5, 1.2 Mbit/s at 720p, 0.25 at 360p)", F(three), $"× {F(three / one)}", ""));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        return rows;
    }

    private sealed record Result(double ReceivedMbps, double StallPer10Min, double DamagedPer10Min, double? LatencyP95, string Rungs);

    private static StreamOptions Stream(string uplink, bool adaptive) => new()
    {
        VideoSource = VideoSource.Test, AudioSource = AudioSource.Test, Width = 1280, Height = 720, Fps = 25, VideoBitrateKbps = 2500, AudioBitrateKbps = 128,
        GopSeconds = 1, StallSeconds = 10, StopTimeoutSeconds = 5, UplinkUrl = uplink, Ladder = new LadderOptions { Enabled = adaptive },
    };

    private static async Task<Result> RunOneAsync(string root, (double Mbps, double LossPercent, double RttMs) link, bool adaptive, int seconds)
    {
        var dir = Path.Combine(root, $"{link.Mbps}-{adaptive}");
        Directory.CreateDirectory(dir);
        var database = new StateDatabase(Path.Combine(dir, "state"), NullLogger<StateDatabase>.Instance);
        database.Migrate();
        var paths = new LinkPaths(database);
        paths.Save(new LinkPath(DateTimeOffset.UtcNow.AddHours(-1), LinkPaths.Compliance, link.RttMs, link.LossPercent, link.Mbps * 0.95, link.Mbps));
        var listen = FreeUdpPort();
        await using var relay = new ImpairmentRelay(listen,
            new Impairment(TimeSpan.FromMilliseconds(link.RttMs / 2), Loss: link.LossPercent / 100, RateMbps: link.Mbps));
        var options = Stream($"srt://127.0.0.1:{relay.Port}", adaptive);
        var latency = SrtLatency.Choose(paths.ForLatency(), options.SrtLatencyMinMs, options.SrtLatencyMaxMs, null);
        var playback = new PlaybackOptions { Video = PlaybackVideo.Offscreen, AudioDevice = "none", PartnerWaitSeconds = 60 };
        var playPlan = PlayerPipeline.Plan(playback, MediaEndpoint.TryParse($"srt://127.0.0.1:{listen}?mode=listener", out _)!, dir, "weak", FreeUdpPort());
        await Slate.RenderAsync(playPlan.SlatePath, "bench-school", "bench-room", 1280, 720, CancellationToken.None);
        await using var player = new PartnerPlayer("weak", "bench-school/bench-room", playPlan, playback, DateTimeOffset.UtcNow, TimeProvider.System,
            NullLogger.Instance, _ => { }, latency);
        player.Start();
        // Each move of the ladder on the terminal, with its reason (the table keeps only the time per rung).
        void Print(StreamEvent e)
        {
            if (e.Type == EventTypes.RungChanged) Console.WriteLine($"  {DateTime.UtcNow:HH:mm:ss} {e.Detail}");
        }
        var setup = StreamSetup.Create(options, new RecordingOptions { Directory = dir, SegmentSeconds = 60 }, "weak", EncoderChoice.Libx264, paths,
            TimeProvider.System, Print);
        await using var stream = new StreamSupervisor("weak", setup, options, TimeProvider.System, NullLogger.Instance, Print);
        stream.Start();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (player.Stats.State != PlaybackState.Playing && DateTime.UtcNow < deadline) await Task.Delay(200);
        // Measured from the first picture on: stalls (no new frame for a second while the partner flows) and time with
        // nothing from the partner at all both count as the receiver standing still.
        var before = player.Stats;
        var damagedBefore = player.LinkTotals?.SecondsWithDrops ?? 0;
        var bytesBefore = player.LinkTotals?.Bytes ?? 0;
        var samplesBefore = before.LatencySamplesMs.Count;
        var started = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var after = player.Stats;
        var damaged = (player.LinkTotals?.SecondsWithDrops ?? 0) - damagedBefore;
        var elapsed = (DateTime.UtcNow - started).TotalSeconds;
        var still = after.StallSeconds - before.StallSeconds + (after.PartnerLostSeconds - before.PartnerLostSeconds);
        var received = (player.LinkTotals?.Bytes ?? 0) - bytesBefore;
        var samples = after.LatencySamplesMs.Skip(samplesBefore).Order().ToList();
        var figures = stream.Link?.Figures;
        await stream.StopAsync();
        await player.StopAsync();
        var rungs = figures?.Rungs is { } r && r.Sum(x => x.Seconds) is var total and > 0
            ? string.Join(", ", r.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Rung} {100 * x.Seconds / total:0} %")))
            : "top 100 %";
        return new Result(received * 8 / elapsed / 1e6, still / elapsed * 600, damaged / elapsed * 600, samples.Count == 0 ? null : samples[(int)(samples.Count * 0.95)], rungs);
    }

    /// <summary>CPU seconds per media second of the encoder alone: one rung, or the default ladder's three.</summary>
    private static async Task<double> EncoderCpuAsync(string root, bool ladder, int seconds)
    {
        var dir = Path.Combine(root, $"cpu-{ladder}");
        Directory.CreateDirectory(dir);
        var options = Stream($"srt://127.0.0.1:{FreeUdpPort()}", ladder);
        using var setup = StreamSetup.Create(options, new RecordingOptions { Directory = dir, SegmentSeconds = 60 }, "cpu", EncoderChoice.Libx264, null,
            TimeProvider.System, _ => { });
        await using var encoder = await FfmpegRun.StartAsync("encoder", setup.Plan.EncoderArgs, TimeProvider.System);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var (cpu0, _) = Usage(encoder.Pid);
        var media0 = encoder.Latest?.OutTime.TotalSeconds ?? 0;
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var (cpu1, _) = Usage(encoder.Pid);
        var media1 = encoder.Latest?.OutTime.TotalSeconds ?? 0;
        await encoder.StopAsync(TimeSpan.FromSeconds(5));
        return (cpu1 - cpu0) / Math.Max(1, media1 - media0);
    }
}
