using System.Diagnostics;
using EdgeAgent.Configuration;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Media;

/// <summary>The supervised stream into real ingest receivers on 127.0.0.1, checked with ffprobe.</summary>
public sealed class StreamEndToEndTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static StreamOptions Options(string uplink) => new()
    {
        VideoSource = VideoSource.Test, AudioSource = AudioSource.Test, Width = 640, Height = 360, Fps = 25, VideoBitrateKbps = 600, AudioBitrateKbps = 96,
        GopSeconds = 1, UplinkUrl = uplink, StallSeconds = 5, StopTimeoutSeconds = 5,
    };

    private async Task<StreamStats> StreamFor(StreamOptions options, double seconds, Func<bool> arrived)
    {
        var rec = _dir.File("rec");
        Directory.CreateDirectory(rec);
        var plan = StreamSetup.Create(options, new RecordingOptions { Directory = rec, SegmentSeconds = 4 }, "lesson-e2e", EncoderChoice.Libx264, null, TimeProvider.System, _ => { });
        await using var stream = new StreamSupervisor("lesson-e2e", plan, options, TimeProvider.System, NullLogger.Instance, _ => { });
        stream.Start();
        await stream.Running.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.True(() => stream.Stats.StreamedSeconds >= seconds && arrived(), TimeSpan.FromSeconds(90), $"{seconds} s streamed");
        await stream.StopAsync();
        return stream.Stats;
    }

    [Fact]
    public async Task Srt_delivers_H264_and_AAC_at_the_configured_size_and_rate_for_the_streamed_time()
    {
        using var receiver = new SrtReceiver(Machine.FreeUdpPort(), _dir.File("received.ts"));
        receiver.Start();
        var stats = await StreamFor(Options($"srt://127.0.0.1:{receiver.Port}"), 10, () => receiver.Bytes > 0);
        await Eventually.True(() => receiver.Bytes > 0, TimeSpan.FromSeconds(5), "bytes at the receiver");
        receiver.Kill();

        await AssertMedia(receiver.File, stats);
        Assert.Equal(0, stats.Restarts);
        Assert.Equal(0, stats.UplinkLosses);
    }

    [Fact]
    public async Task Rtmp_delivers_H264_and_AAC_for_the_streamed_time()
    {
        var port = Machine.FreeTcpPort();
        var received = _dir.File("received.flv");
        var info = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-nostdin", "-listen", "1", "-i", $"rtmp://127.0.0.1:{port}/live/room", "-c", "copy", "-f", "flv", received })
            info.ArgumentList.Add(a);
        using var receiver = Process.Start(info)!;
        receiver.ErrorDataReceived += (_, _) => { };
        receiver.BeginErrorReadLine();
        try
        {
            await Eventually.True(() => IsListening(port), TimeSpan.FromSeconds(10), "the RTMP listener");
            var stats = await StreamFor(Options($"rtmp://127.0.0.1:{port}/live/room"), 10, () => File.Exists(received) && new FileInfo(received).Length > 0);
            // The uplink closed the session at stop; the receiver finishes its file and exits.
            Assert.True(await Task.Run(() => receiver.WaitForExit(15_000)), "the RTMP receiver did not finish");
            await AssertMedia(received, stats);
        }
        finally
        {
            if (!receiver.HasExited) receiver.Kill();
        }
    }

    private static async Task AssertMedia(string file, StreamStats stats)
    {
        var media = await MediaProbe.AnalyseAsync(file);
        Assert.Equal(("h264", 640, 360, 25.0, "aac"), (media.VideoCodec, media.Width, media.Height, media.FrameRate, media.AudioCodec));
        Assert.InRange(media.Duration.TotalSeconds, stats.StreamedSeconds * 0.9, stats.StreamedSeconds * 1.1);
    }

    private static bool IsListening(int port)
    {
        var hex = $":{port:X4}";
        return File.ReadLines("/proc/net/tcp").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(f => f.Length > 3 && f[1].EndsWith(hex, StringComparison.Ordinal) && f[3] == "0A");
    }
}
