using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Media;

public sealed class EncoderPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private StreamOptions Stream(string? uplink = null) => new()
    {
        VideoSource = VideoSource.Test, AudioSource = AudioSource.Test, Width = 640, Height = 360, Fps = 25, VideoBitrateKbps = 800, AudioBitrateKbps = 96,
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
        Assert.Throws<StreamConfigException>(() => EncoderPipeline.Plan(Stream(), Recording(), lessonId, 40000, EncoderChoice.Libx264));

    [Theory]
    [InlineData("relative/rec")]
    [InlineData("/var/rec|[f=mpegts]udp://evil")]
    [InlineData("/var/rec'; touch /tmp/pwned; '")]
    [InlineData("/var/rec\n-f")]
    [InlineData("/var/$(id)")]
    [InlineData("/var/-i/rec")]
    public void Recording_directories_that_could_change_the_tee_specification_are_rejected(string dir) =>
        Assert.Throws<StreamConfigException>(() => EncoderPipeline.Plan(Stream(), Recording(dir), "lesson-1", 40000, EncoderChoice.Libx264));

    [Fact]
    public void Values_from_configuration_stay_single_arguments()
    {
        var plan = EncoderPipeline.Plan(Stream("srt://ingest.example.edu.cn:9000?streamid=a.b&latency=200000"), Recording(), "lesson-1", 40000, EncoderChoice.Libx264);
        Assert.Equal("srt://ingest.example.edu.cn:9000?streamid=a.b&latency=200000", plan.UplinkArgs![^1]);
        Assert.Contains("testsrc2=size=640x360:rate=25", plan.EncoderArgs);
        Assert.Single(plan.EncoderArgs, a => a.StartsWith("[f=segment", StringComparison.Ordinal));
        var tee = plan.EncoderArgs[^1];
        Assert.Equal(2, tee.Split('|').Length); // exactly the recording and the local feed
        Assert.EndsWith("udp://127.0.0.1:40000?pkt_size=1316", tee);
    }

    [Theory]
    [InlineData(EncoderChoice.Auto, " V....D libx264 H.264\n V..... h264_vaapi VAAPI\n", true, EncoderChoice.H264Vaapi)]
    [InlineData(EncoderChoice.Auto, " V....D libx264 H.264\n V..... h264_vaapi VAAPI\n", false, EncoderChoice.Libx264)]
    [InlineData(EncoderChoice.Auto, " V....D libx264 H.264\n", true, EncoderChoice.Libx264)]
    [InlineData(EncoderChoice.H264V4l2m2m, "", false, EncoderChoice.H264V4l2m2m)]
    public void Auto_takes_hardware_only_when_ffmpeg_and_the_device_both_have_it(EncoderChoice configured, string encoders, bool renderNode, EncoderChoice expected) =>
        Assert.Equal(expected, EncoderProbe.Resolve(configured, encoders, path => renderNode && path == EncoderProbe.RenderNode));

    [SkippableFact]
    public async Task The_probe_on_this_machine_falls_back_to_libx264_without_a_render_node()
    {
        Skip.If(File.Exists(EncoderProbe.RenderNode), "this machine has a render node");
        Assert.Equal(EncoderChoice.Libx264, await EncoderProbe.ResolveAsync(EncoderChoice.Auto, CancellationToken.None));
    }

    private static int FreeUdpPort()
    {
        using var s = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.Client.LocalEndPoint!).Port;
    }
}
