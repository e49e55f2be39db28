using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using EdgeAgent.Media.Send;
using Microsoft.Extensions.Logging.Abstractions;

using static EdgeAgent.Bench.BenchProcesses;
using static EdgeAgent.Bench.BenchTable;

namespace EdgeAgent.Bench;

/// <summary>
/// The lesson stream: CPU and memory of a 720p30 stream through the supervisor against the same two ffmpeg commands
/// run bare (one run each, same length); time from start to the first bytes at an SRT receiver; and time from the
/// receiver's return to bytes flowing again.
/// </summary>
public static class StreamBench
{

    public static async Task<List<string>> RunAsync(int seconds, int repeats)
    {
        var rows = new List<string>();
        var dir = Path.Combine(Path.GetTempPath(), "edgeagent-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var options = new StreamOptions
            {
                VideoSource = VideoSource.Test, AudioSource = AudioSource.Test, Width = 1280, Height = 720, Fps = 30, VideoBitrateKbps = 2500, AudioBitrateKbps = 128,
                GopSeconds = 1, StallSeconds = 10, StopTimeoutSeconds = 10,
                // One rung: this suite measures the supervision itself (the weak-link suite what the ladder costs).
                Ladder = new LadderOptions { Enabled = false },
            };

            // Bare (the two commands as plain processes) and supervised (the same through StreamSupervisor), in the
            // order bare, supervised, supervised, bare so that drift on the machine falls on both sides. CPU is compared
            // per second of media encoded, since the runs cannot stop on the same frame.
            var runs = new List<(bool Supervised, Run Run)>();
            foreach (var supervised in new[] { false, true, true, false })
                runs.Add((supervised, supervised
                    ? await SupervisedAsync(options, Path.Combine(dir, $"s{runs.Count}"), seconds)
                    : await BareAsync(options, Path.Combine(dir, $"b{runs.Count}"), seconds)));
            var bare = runs.Where(r => !r.Supervised).Select(r => r.Run).ToList();
            var sup = runs.Where(r => r.Supervised).Select(r => r.Run).ToList();
            // The bench process samples /proc in every run; what it spends beyond that in the supervised runs is the
            // supervisor's own work (progress parsing, stall watch, launcher thread), charged to the supervised side.
            var supervisorCpu = Math.Max(0, sup.Average(r => r.Harness) - bare.Average(r => r.Harness));
            var bareRate = bare.Sum(r => r.Cpu) / bare.Sum(r => r.MediaSeconds);
            var supRate = (sup.Sum(r => r.Cpu) + supervisorCpu * sup.Count) / sup.Sum(r => r.MediaSeconds);
            rows.Add(Row($"CPU s per media s, 720p30 (2 × {seconds} s), bare ffmpeg encoder + uplink", F(bareRate, 3), string.Join(" / ", bare.Select(r => $"{F(r.Cpu)} s for {F(r.MediaSeconds)} s")), ""));
            rows.Add(Row($"CPU s per media s, same, supervised (supervisor {F(supervisorCpu, 3)} s per run)", F(supRate, 3), $"ratio {supRate / bareRate:F3}", "≤ 1.05"));
            rows.Add(Row("peak RSS MB, bare (encoder + uplink)", F(bare.Max(r => r.RssMb)), "", ""));
            rows.Add(Row("peak RSS MB, supervised (encoder + uplink)", F(sup.Max(r => r.RssMb)), "", ""));

            // 3. Start to first bytes, and receiver return to bytes flowing again.
            var startTimes = new List<double>();
            var recoveryTimes = new List<double>();
            options.Width = 640;
            options.Height = 360;
            options.Fps = 25;
            options.VideoBitrateKbps = 800;
            options.UplinkRetryMaxSeconds = 1;
            for (var i = 0; i < repeats; i++)
            {
                var (start, recovery) = await StartAndRecoveryAsync(options, Path.Combine(dir, $"run{i}"));
                startTimes.Add(start);
                recoveryTimes.Add(recovery);
            }
            rows.Add(Row($"start → first bytes at the SRT receiver, s ({repeats} runs)", $"median {F(Median(startTimes))}", $"max {F(startTimes.Max())}", "target < 2"));
            rows.Add(Row($"receiver back → bytes flowing again, s ({repeats} runs)", $"median {F(Median(recoveryTimes))}", $"max {F(recoveryTimes.Max())}", "target < 5"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return rows;
    }

    private sealed record Run(double Cpu, double RssMb, double Harness, double MediaSeconds);

    private static async Task<Run> BareAsync(StreamOptions options, string dir, int seconds)
    {
        Directory.CreateDirectory(dir);
        var srt = FreeUdpPort();
        using var receiver = Receiver(srt);
        options.UplinkUrl = $"srt://127.0.0.1:{srt}";
        var setup = StreamSetup.Create(options, new RecordingOptions { Directory = dir, SegmentSeconds = 10 }, "bench", EncoderChoice.Libx264, null, TimeProvider.System, _ => { });
        using var _ = setup;
        var self = Process.GetCurrentProcess();
        var selfBefore = self.TotalProcessorTime;
        var plan = setup.Plan;
        using var uplink = Start(plan.Uplink!.Program, plan.Uplink.Args(120));
        await UdpListener.WaitBoundAsync(plan.Uplink.FeedPort, TimeSpan.FromSeconds(3), TimeProvider.System, CancellationToken.None);
        var parser = new FfmpegProgressParser();
        var media = 0.0;
        using var encoder = Start("ffmpeg", plan.EncoderArgs, line =>
        {
            if (parser.Feed(line) is { } p) Volatile.Write(ref media, p.OutTime.TotalSeconds);
        });
        var peak = new Peak();
        await WatchAsync(seconds, peak, encoder.Id, uplink.Id);
        var mediaSeconds = Volatile.Read(ref media);
        foreach (var p in new[] { encoder, uplink }) ChildProcesses.Signal(p.Id, ChildProcesses.SigInt);
        foreach (var p in new[] { encoder, uplink }) await p.WaitForExitAsync();
        self.Refresh();
        receiver.Kill();
        return new Run(peak.Cpu, peak.RssMb, (self.TotalProcessorTime - selfBefore).TotalSeconds, mediaSeconds);
    }

    private static async Task<Run> SupervisedAsync(StreamOptions options, string dir, int seconds)
    {
        Directory.CreateDirectory(dir);
        var srt = FreeUdpPort();
        using var receiver = Receiver(srt);
        options.UplinkUrl = $"srt://127.0.0.1:{srt}";
        var setup = StreamSetup.Create(options, new RecordingOptions { Directory = dir, SegmentSeconds = 10 }, "bench", EncoderChoice.Libx264, null, TimeProvider.System, _ => { });
        var self = Process.GetCurrentProcess();
        var selfBefore = self.TotalProcessorTime;
        await using var stream = new StreamSupervisor("bench", setup, options, TimeProvider.System, NullLogger.Instance, _ => { });
        stream.Start();
        await stream.Running;
        var peak = new Peak();
        await WatchAsync(seconds, peak, stream.EncoderPid!.Value, stream.UplinkPid!.Value);
        var media = stream.Stats.StreamedSeconds;
        await stream.StopAsync();
        self.Refresh();
        receiver.Kill();
        return new Run(peak.Cpu, peak.RssMb, (self.TotalProcessorTime - selfBefore).TotalSeconds, media);
    }

    private static async Task<(double Start, double Recovery)> StartAndRecoveryAsync(StreamOptions options, string dir)
    {
        Directory.CreateDirectory(dir);
        var srt = FreeUdpPort();
        var receiver = Receiver(srt);
        var first = new TaskCompletionSource<DateTimeOffset>();
        _ = Drain(receiver, first);
        options.UplinkUrl = $"srt://127.0.0.1:{srt}";
        var setup = StreamSetup.Create(options, new RecordingOptions { Directory = dir, SegmentSeconds = 10 }, "bench", EncoderChoice.Libx264, null, TimeProvider.System, _ => { });
        var lost = new TaskCompletionSource();
        var started = DateTimeOffset.UtcNow;
        await using var stream = new StreamSupervisor("bench", setup, options, TimeProvider.System, NullLogger.Instance,
            e => { if (e.Type == "uplink-lost") lost.TrySetResult(); });
        stream.Start();
        var start = (await first.Task.WaitAsync(TimeSpan.FromSeconds(30)) - started).TotalSeconds;

        receiver.Kill();
        receiver.WaitForExit();
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var back = DateTimeOffset.UtcNow;
        using var again = Receiver(srt);
        var second = new TaskCompletionSource<DateTimeOffset>();
        _ = Drain(again, second);
        var recovery = (await second.Task.WaitAsync(TimeSpan.FromSeconds(30)) - back).TotalSeconds;
        await stream.StopAsync();
        again.Kill();
        receiver.Dispose();
        return (start, recovery);
    }

    private static async Task Drain(Process receiver, TaskCompletionSource<DateTimeOffset> first)
    {
        var buffer = new byte[65536];
        try
        {
            while (await receiver.StandardOutput.BaseStream.ReadAsync(buffer) > 0) first.TrySetResult(DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private static async Task WatchAsync(int seconds, Peak peak, params int[] pids)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            await Task.Delay(500);
            peak.Sample(pids);
        }
    }

    private sealed class Peak
    {
        public double Cpu { get; private set; }
        public double RssMb { get; private set; }

        public void Sample(int[] pids)
        {
            var usage = pids.Select(Usage).ToList();
            var (cpu, rss) = (usage.Sum(u => u.CpuSeconds), usage.Sum(u => u.RssMb));
            Cpu = Math.Max(Cpu, cpu);
            RssMb = Math.Max(RssMb, rss);
        }
    }

    private static Process Receiver(int port)
    {
        var info = new ProcessStartInfo("srt-live-transmit") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-q", $"srt://127.0.0.1:{port}?mode=listener", "file://con" }) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.ErrorDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        return p;
    }

    private static Process Start(string program, IReadOnlyList<string> args, Action<string>? progress = null)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is { } line) progress?.Invoke(line); };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

}
