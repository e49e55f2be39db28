using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Lessons;
using EdgeAgent.Media.Link;
using EdgeAgent.Media.Play;
using EdgeAgent.Media.Send;
using Microsoft.Extensions.Logging.Abstractions;

using static EdgeAgent.Bench.BenchProcesses;
using static EdgeAgent.Bench.BenchTable;

namespace EdgeAgent.Bench;

/// <summary>
/// The two-way lesson on one box, on loopback at 720p30: the glass-to-glass latency of the partner's picture (the
/// sender's wall-clock stamp of the frame on screen against this clock) over one SRT hop of 120 ms; CPU of the box's
/// whole lesson (encoder, uplink, receiver, player) through the agent's supervisors against the same command lines run
/// bare, in alternating runs; and the time from a partner's return (its relay restarted) to its picture on screen.
/// The box plays its own stream here, sent out and back through SRT: one machine, both directions' processes.
/// </summary>
public static class TwoWayBench
{

    public static async Task<List<string>> RunAsync(int seconds, int repeats)
    {
        var rows = new List<string>();
        var dir = Path.Combine(Path.GetTempPath(), "edgeagent-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            // 1. Latency over one SRT hop (the partner's receiver listens, the uplink calls).
            var (samples, _, _) = await SupervisedAsync(dir, "latency", seconds, measureCpu: false);
            var latency = LessonRecords.Latency(samples);
            rows.Add(Row($"glass-to-glass latency ms, 720p30, SRT latency 120 ms, {seconds} s ({latency?.Samples ?? 0} frames sampled)",
                latency is null ? "none" : $"p50 {F(latency.P50, 0)}", latency is null ? "" : $"p95 {F(latency.P95, 0)}, max {F(latency.Max, 0)}", "p95 ≤ 250"));

            // 2. CPU, alternating bare and supervised so that drift on the machine falls on both sides.
            var bare = new List<(double Cpu, double Harness)>();
            var sup = new List<(double Cpu, double Harness)>();
            foreach (var supervised in new[] { false, true, true, false })
            {
                if (supervised)
                {
                    var (_, cpu, harness) = await SupervisedAsync(dir, $"s{sup.Count}", seconds, measureCpu: true);
                    sup.Add((cpu, harness));
                }
                else bare.Add(await BareAsync(dir, $"b{bare.Count}", seconds));
            }
            // The bench process samples /proc in every run; what it spends beyond that supervised is the agent's share.
            var agent = Math.Max(0, sup.Average(r => r.Harness) - bare.Average(r => r.Harness));
            var bareCpu = bare.Average(r => r.Cpu);
            var supCpu = sup.Average(r => r.Cpu) + agent;
            rows.Add(Row($"CPU s of a two-way lesson, bare (encoder, uplink, receiver, mpv; 2 × {seconds} s)", F(bareCpu), string.Join(" / ", bare.Select(r => F(r.Cpu))), ""));
            rows.Add(Row($"CPU s, same, supervised (agent's share {F(agent, 3)} s per run)", F(supCpu), $"ratio {supCpu / bareCpu:F3}", "≤ 1.05"));

            // 3. The partner back: its relay killed, then started again; time to its picture on screen.
            var back = await RecoveryAsync(dir, repeats);
            rows.Add(Row($"partner back → picture back, s ({repeats} runs)", $"median {F(Median(back))}", $"max {F(back.Max())}", "≤ 5"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return rows;
    }

    private static StreamOptions Stream(string uplink) => new()
    {
        VideoSource = VideoSource.Test, TestPattern = TestPattern.Smptebars, AudioSource = AudioSource.Test, Width = 1280, Height = 720, Fps = 30,
        VideoBitrateKbps = 2500, AudioBitrateKbps = 128, GopSeconds = 1, StallSeconds = 10, StopTimeoutSeconds = 10, UplinkUrl = uplink,
        // One rung and libsrt's default latency: this suite measures the two-way pipeline itself (the weak-link suite the ladder).
        Ladder = new LadderOptions { Enabled = false }, SrtLatencyMs = 120,
    };

    private static readonly SrtLatencyChoice Latency = new(120, "bench");

    private static readonly PlaybackOptions Playback = new() { Video = PlaybackVideo.Offscreen, AudioDevice = "none", PartnerWaitSeconds = 30 };

    /// <summary>One room's send and play plans with the player fetching what the encoder sends, over one SRT hop.</summary>
    private static (string Dir, StreamOptions Options, StreamSetup Setup, PlaybackPlan PlayPlan) OneHop(string root, string name)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        var srt = FreeUdpPort();
        var options = Stream($"srt://127.0.0.1:{srt}?mode=caller");
        var setup = StreamSetup.Create(options, new RecordingOptions { Directory = dir, SegmentSeconds = 10 }, "bench", EncoderChoice.Libx264, null, TimeProvider.System, _ => { });
        var partner = MediaEndpoint.TryParse($"srt://127.0.0.1:{srt}?mode=listener", out _)!;
        return (dir, options, setup, PlayerPipeline.Plan(Playback, partner, dir, "bench", FreeUdpPort()));
    }

    private static async Task<(IReadOnlyList<double> Samples, double Cpu, double Harness)> SupervisedAsync(string root, string name, int seconds, bool measureCpu)
    {
        var (dir, options, setup, playPlan) = OneHop(root, name);
        await Slate.RenderAsync(playPlan.SlatePath, "bench-school", "bench-room", 1280, 720, CancellationToken.None);
        var self = Process.GetCurrentProcess();
        var selfBefore = self.TotalProcessorTime;
        await using var player = new PartnerPlayer("bench", "bench-school/bench-room", playPlan, Playback, DateTimeOffset.UtcNow, TimeProvider.System, NullLogger.Instance, _ => { },
            Latency);
        player.Start();
        await using var stream = new StreamSupervisor("bench", setup, options, TimeProvider.System, NullLogger.Instance, _ => { });
        stream.Start();
        await WaitAsync(() => player.Stats.State == PlaybackState.Playing, TimeSpan.FromSeconds(60));
        var pids = new[] { stream.EncoderPid!.Value, stream.UplinkPid!.Value, player.ReceiverPid!.Value, player.PlayerPid!.Value };
        var before = measureCpu ? Cpu(pids) : 0;
        var samplesBefore = player.Stats.LatencySamplesMs.Count;
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var cpu = measureCpu ? Cpu(pids) - before : 0;
        var samples = player.Stats.LatencySamplesMs.Skip(samplesBefore).ToList();
        self.Refresh();
        var harness = (self.TotalProcessorTime - selfBefore).TotalSeconds;
        await stream.StopAsync();
        await player.StopAsync();
        return (samples, cpu, harness);
    }

    private static async Task<(double Cpu, double Harness)> BareAsync(string root, string name, int seconds)
    {
        var (dir, options, setup, playPlan) = OneHop(root, name);
        using var _ = setup;
        var plan = setup.Plan;
        var self = Process.GetCurrentProcess();
        var selfBefore = self.TotalProcessorTime;
        // The same command lines, started plainly; mpv opens the feed itself instead of the slate.
        var mpvArgs = playPlan.PlayerArgs.Take(playPlan.PlayerArgs.Count - 1).Append(playPlan.FeedUrl).ToList();
        var processes = new List<Process>
        {
            BenchProcesses.Start(playPlan.Receiver.Program, playPlan.Receiver.Args(120)),
            BenchProcesses.Start("mpv", mpvArgs),
        };
        processes.Add(BenchProcesses.Start(plan.Uplink!.Program, plan.Uplink.Args(120)));
        await UdpListener.WaitBoundAsync(plan.Uplink.FeedPort, TimeSpan.FromSeconds(3), TimeProvider.System, CancellationToken.None);
        processes.Add(BenchProcesses.Start("ffmpeg", plan.EncoderArgs));
        await Task.Delay(TimeSpan.FromSeconds(5)); // the same warm-up the supervised run spends reaching the picture
        var pids = processes.Select(p => p.Id).ToArray();
        var before = Cpu(pids);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var cpu = Cpu(pids) - before;
        self.Refresh();
        var harness = (self.TotalProcessorTime - selfBefore).TotalSeconds;
        foreach (var p in processes) BenchProcesses.Signal(p, "INT");
        foreach (var p in processes)
        {
            if (!p.WaitForExit(10_000)) p.Kill();
            p.Dispose();
        }
        return (cpu, harness);
    }

    private static async Task<List<double>> RecoveryAsync(string root, int repeats)
    {
        var dir = Path.Combine(root, "recovery");
        Directory.CreateDirectory(dir);
        int publish = FreeUdpPort(), play = FreeUdpPort();
        Process Relay() => BenchProcesses.Start("srt-live-transmit", ["-q", $"srt://127.0.0.1:{publish}?mode=listener", $"srt://127.0.0.1:{play}?mode=listener"]);
        var relay = Relay();
        var options = Stream($"srt://127.0.0.1:{publish}?mode=caller");
        options.Width = 640;
        options.Height = 360;
        options.Fps = 25;
        options.VideoBitrateKbps = 800;
        var setup = StreamSetup.Create(options, new RecordingOptions { Directory = dir, SegmentSeconds = 10 }, "bench", EncoderChoice.Libx264, null, TimeProvider.System, _ => { });
        var partner = MediaEndpoint.TryParse($"srt://127.0.0.1:{play}?mode=caller", out _)!;
        var playPlan = PlayerPipeline.Plan(Playback, partner, dir, "bench", FreeUdpPort());
        await Slate.RenderAsync(playPlan.SlatePath, "bench-school", "bench-room", 640, 360, CancellationToken.None);
        await using var player = new PartnerPlayer("bench", "bench-school/bench-room", playPlan, Playback, DateTimeOffset.UtcNow, TimeProvider.System, NullLogger.Instance, _ => { },
            Latency);
        player.Start();
        await using var stream = new StreamSupervisor("bench", setup, options, TimeProvider.System, NullLogger.Instance, _ => { });
        stream.Start();
        var times = new List<double>();
        await WaitAsync(() => player.Stats.State == PlaybackState.Playing, TimeSpan.FromSeconds(60));
        for (var i = 0; i < repeats; i++)
        {
            BenchProcesses.Signal(relay, "KILL");
            relay.WaitForExit();
            relay.Dispose();
            await WaitAsync(() => player.Stats.State == PlaybackState.Lost, TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(3));
            var started = Stopwatch.StartNew();
            relay = Relay();
            await WaitAsync(() => player.Stats.State == PlaybackState.Playing, TimeSpan.FromSeconds(60));
            times.Add(started.Elapsed.TotalSeconds);
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        await stream.StopAsync();
        await player.StopAsync();
        BenchProcesses.Signal(relay, "KILL");
        relay.Dispose();
        return times;
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the two-way bench waited too long");
            await Task.Delay(20);
        }
    }

    /// <summary>User + system CPU seconds of the processes so far.</summary>
    private static double Cpu(int[] pids) => pids.Sum(pid => Usage(pid).CpuSeconds);

}
