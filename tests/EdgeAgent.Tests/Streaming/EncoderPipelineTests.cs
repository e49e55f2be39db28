using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Streaming;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Streaming;

public sealed class EncoderPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private StreamOptions Stream(string? uplink = null) => new()
    {
        VideoSource = "test", AudioSource = "test", Width = 640, Height = 360, Fps = 25, VideoBitrateKbps = 800, AudioBitrateKbps = 96,
        UplinkUrl = uplink,
    };

    private RecordingOptions Recording(string? dir = null) => new() { Directory = dir ?? Path.Combine(_dir.Path, "rec"), SegmentSeconds = 2 };

    [Theory]
    [InlineData("lesson 1")]
    [InlineData("a;rm -rf /")]
    [InlineData("$(reboot)")]
    [InlineData("-f")]
    [InlineData("x\ny")]
    [InlineData("a|b")]
    [InlineData("")]
    public void Lesson_ids_that_are_not_plain_identifiers_are_rejected(string lessonId) =>
        Assert.Throws<StreamConfigException>(() => EncoderPipeline.Plan(Stream(), Recording(), lessonId, 40000, "libx264"));

    [Theory]
    [InlineData("relative/rec")]
    [InlineData("/var/rec|[f=mpegts]udp://evil")]
    [InlineData("/var/rec'; touch /tmp/pwned; '")]
    [InlineData("/var/rec\n-f")]
    [InlineData("/var/$(id)")]
    [InlineData("/var/-i/rec")]
    public void Recording_directories_that_could_change_the_tee_specification_are_rejected(string dir) =>
        Assert.Throws<StreamConfigException>(() => EncoderPipeline.Plan(Stream(), Recording(dir), "lesson-1", 40000, "libx264"));

    [Fact]
    public void Values_from_configuration_stay_single_arguments()
    {
        var plan = EncoderPipeline.Plan(Stream("srt://ingest.example.edu.cn:9000?streamid=a.b&latency=200000"), Recording(), "lesson-1", 40000, "libx264");
        Assert.Equal("srt://ingest.example.edu.cn:9000?streamid=a.b&latency=200000", plan.UplinkArgs![^1]);
        Assert.Contains("testsrc2=size=640x360:rate=25", plan.EncoderArgs);
        Assert.Single(plan.EncoderArgs, a => a.StartsWith("[f=segment", StringComparison.Ordinal));
        var tee = plan.EncoderArgs[^1];
        Assert.Equal(2, tee.Split('|').Length); // exactly the recording and the local feed
        Assert.EndsWith("udp://127.0.0.1:40000?pkt_size=1316", tee);
    }

    [Theory]
    [InlineData("auto", " V....D libx264 H.264\n V..... h264_vaapi VAAPI\n", true, "h264_vaapi")]
    [InlineData("auto", " V....D libx264 H.264\n V..... h264_vaapi VAAPI\n", false, "libx264")]
    [InlineData("auto", " V....D libx264 H.264\n", true, "libx264")]
    [InlineData("h264_v4l2m2m", "", false, "h264_v4l2m2m")]
    public void Auto_takes_hardware_only_when_ffmpeg_and_the_device_both_have_it(string configured, string encoders, bool renderNode, string expected) =>
        Assert.Equal(expected, EncoderProbe.Resolve(configured, encoders, path => renderNode && path == EncoderProbe.RenderNode));

    [SkippableFact]
    public async Task The_probe_on_this_machine_falls_back_to_libx264_without_a_render_node()
    {
        Skip.If(File.Exists(EncoderProbe.RenderNode), "this machine has a render node");
        Assert.Equal("libx264", await EncoderProbe.ResolveAsync("auto", CancellationToken.None));
    }

    [Fact]
    public async Task Encoder_and_uplink_deliver_H264_and_AAC_over_SRT_while_recording_segments()
    {
        var srtPort = FreeUdpPort();
        var feedPort = FreeUdpPort();
        var received = _dir.File("received.ts");
        var plan = EncoderPipeline.Plan(Stream($"srt://127.0.0.1:{srtPort}?latency=200000"), Recording(), "lesson-7", feedPort, "libx264");
        Directory.CreateDirectory(Path.Combine(_dir.Path, "rec"));

        using var receiver = Run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", $"srt://127.0.0.1:{srtPort}?mode=listener", "-c", "copy", "-f", "mpegts", received]);
        using var uplink = Run("ffmpeg", plan.UplinkArgs!);
        using var encoder = Run("ffmpeg", plan.EncoderArgs);
        try
        {
            await Eventually.True(() => File.Exists(received) && new FileInfo(received).Length > 100_000, TimeSpan.FromSeconds(60), "the receiver to get a few seconds of stream");
            await Eventually.True(() => Directory.GetFiles(Path.Combine(_dir.Path, "rec"), "lesson-7-*.ts").Length >= 2, TimeSpan.FromSeconds(60), "two recorded segments");
        }
        finally
        {
            // Encoder first; the uplink's feed read times out and it closes the SRT session; the receiver sees its end.
            foreach (var p in new[] { encoder, uplink, receiver }) Stop(p);
        }

        var probe = await Probe(received);
        Assert.Contains("codec_name=h264|width=640|height=360|avg_frame_rate=25/1", probe);
        Assert.Contains("codec_name=aac", probe);
        var segment = Directory.GetFiles(Path.Combine(_dir.Path, "rec"), "lesson-7-*.ts").Order().First();
        Assert.Contains("codec_name=h264|width=640|height=360", await Probe(segment));
    }

    private static Process Run(string exe, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static void Stop(Process p)
    {
        try
        {
            if (p.HasExited) return;
            // SIGTERM: ffmpeg finishes its outputs and exits (the plans use -nostdin, so not q on stdin).
            Process.Start("kill", ["-TERM", p.Id.ToString()])!.WaitForExit();
            if (!p.WaitForExit(10_000)) p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }

    private static async Task<string> Probe(string file)
    {
        var info = new ProcessStartInfo("ffprobe") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-show_entries", "stream=codec_name,width,height,avg_frame_rate", "-of", "compact=p=0", file })
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }

    private static int FreeUdpPort()
    {
        using var s = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.Client.LocalEndPoint!).Port;
    }
}
