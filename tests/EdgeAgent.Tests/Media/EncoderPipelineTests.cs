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
        Assert.Throws<StreamConfigException>(() => Plan(Stream(), Recording(), lessonId));

    [Theory]
    [InlineData("relative/rec")]
    [InlineData("/var/rec|[f=mpegts]udp://evil")]
    [InlineData("/var/rec'; touch /tmp/pwned; '")]
    [InlineData("/var/rec\n-f")]
    [InlineData("/var/$(id)")]
    [InlineData("/var/-i/rec")]
    public void Recording_directories_that_could_change_the_tee_specification_are_rejected(string dir) =>
        Assert.Throws<StreamConfigException>(() => Plan(Stream(), Recording(dir), "lesson-1"));

    private static StreamPlan Plan(StreamOptions stream, RecordingOptions recording, string lessonId)
    {
        var rungs = Ladder.Of(stream);
        var uplink = stream.Uplink is { } endpoint ? new UplinkPlan(endpoint, 40000, 10) : null;
        return EncoderPipeline.Plan(stream, recording, lessonId, rungs, uplink is null ? [] : rungs.Select((_, i) => 41000 + i).ToList(), uplink,
            EncoderChoice.Libx264);
    }

    [Fact]
    public void Values_from_configuration_stay_single_arguments()
    {
        var plan = Plan(Stream("srt://ingest.example.edu.cn:9000?streamid=a.b&passphrase=0123456789"), Recording(), "lesson-1");
        Assert.Equal("srt://ingest.example.edu.cn:9000?streamid=a.b&passphrase=0123456789&latency=1200", plan.Uplink!.Args(1200)[^1]);
        Assert.Equal("udp://127.0.0.1:40000", plan.Uplink.Args(1200)[^2]);
        Assert.Contains("testsrc2=size=640x360:rate=25", plan.EncoderArgs);
        Assert.Single(plan.EncoderArgs, a => a.StartsWith("[f=segment", StringComparison.Ordinal));
        var tee = plan.EncoderArgs.Single(a => a.StartsWith("[f=segment", StringComparison.Ordinal));
        Assert.Equal(2, tee.Split('|').Length); // exactly the recording and the top rung's feed
        Assert.EndsWith("udp://127.0.0.1:41000?pkt_size=1316", tee);
        // The lower rungs each go to their own feed, from the same picture with the same keyframe interval.
        Assert.Equal(3, plan.Rungs.Count);
        Assert.Equal("udp://127.0.0.1:41002?pkt_size=1316", plan.EncoderArgs[^1]);
        Assert.Equal(3, plan.EncoderArgs.Count(a => a == "-keyint_min"));
        Assert.Contains(plan.EncoderArgs, a => a.Contains("split=3", StringComparison.Ordinal) && a.Contains("scale=640:360[v2]", StringComparison.Ordinal));
    }

    [Fact]
    public void A_room_that_only_records_encodes_one_rung_to_the_recording_alone()
    {
        var plan = Plan(Stream(), Recording(), "lesson-1");
        Assert.Single(plan.Rungs);
        Assert.Null(plan.Uplink);
        Assert.DoesNotContain(plan.EncoderArgs, a => a.Contains("udp://", StringComparison.Ordinal));
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
}
