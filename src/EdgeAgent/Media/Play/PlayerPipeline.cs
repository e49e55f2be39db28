using System.Globalization;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Media.Link;
using EdgeAgent.Media.Send;

namespace EdgeAgent.Media.Play;

/// <summary>
/// The two processes that play the partner classroom, as argument lists (nothing through a shell):
/// <list type="bullet">
/// <item>the <b>receiver</b> takes the partner's stream from its URL and copies it, timestamps untouched, to a local
/// MPEG-TS feed on 127.0.0.1 UDP: libsrt's <c>srt-live-transmit</c> for SRT (packet for packet, no demultiplexing, with
/// the connection's statistics and the latency chosen from the path), ffmpeg for RTMP and RTSP. It is the part that
/// waits on the network: it can retry for the whole lesson without the screen ever waiting on a connection, and what it
/// moves says whether the partner is there;</item>
/// <item>the <b>player</b> (mpv) shows the slate, or the feed while the partner is there, full screen on the partner
/// display and the speakers, controlled and read through its JSON IPC socket.</item>
/// </list>
/// The sender stamps its frames with its wall clock (<see cref="EncoderPipeline"/>), and the player keeps those
/// timestamps (<c>--rebase-start-time=no</c>), so the time of the frame on screen against this box's clock is the
/// glass-to-glass latency.
/// </summary>
public static class PlayerPipeline
{
    /// <summary>MPEG-TS timestamps are 33 bits of 90 kHz: the wall-clock stamps wrap every 95,443.7 s (26.5 h).</summary>
    public const double TimestampWrapSeconds = 8589934592.0 / 90000;

    public static PlaybackPlan Plan(PlaybackOptions playback, MediaEndpoint partner, string playerDirectory, string lessonId, int feedPort)
    {
        PathCheck.Directory(playerDirectory, "player directory");
        if (feedPort is < 1024 or > 65535) throw new StreamConfigException($"feed port {feedPort} is out of range");
        var inv = CultureInfo.InvariantCulture;
        var feed = string.Create(inv, $"udp://127.0.0.1:{feedPort}");
        var receiver = new ReceiverPlan(partner, feed);
        var ipc = Path.Combine(playerDirectory, $"mpv-{lessonId}.sock");
        var slate = Path.Combine(playerDirectory, $"slate-{lessonId}.png");
        var player = new List<string>
        {
            "--no-config", "--no-terminal", "--idle=yes", "--input-ipc-server=" + ipc,
            "--profile=low-latency", "--cache=no", "--rebase-start-time=no",
            "--demuxer-lavf-probesize=200000", "--demuxer-lavf-analyzeduration=0.5",
            // Each PES of the feed is one whole picture or sound frame with its length (EncoderPipeline.FeedMuxing), so
            // the demuxer hands a picture on as soon as its last byte is in. The H.264 parser would hold each picture
            // until the next one starts (a frame interval, 40 ms at 25 fps): it is left out (noparse needs nofillin).
            "--demuxer-lavf-o=fflags=+nobuffer+noparse+nofillin",
            // The slate stays up and stays the current frame (an image would otherwise end and leave the screen black).
            // keep-open pauses at an end: whatever is loaded next is unpaused (PartnerPlayer.ShowAsync).
            "--image-display-duration=inf", "--keep-open=yes", "--osc=no", "--osd-level=0",
            string.Create(inv, $"--volume={playback.VolumePercent}"),
        };
        player.AddRange(playback.Video switch
        {
            PlaybackVideo.Drm => ["--vo=drm", "--hwdec=auto-safe", "--force-window=yes"],
            PlaybackVideo.Gpu => ["--vo=gpu", "--hwdec=auto-safe", "--fs", "--force-window=yes"],
            PlaybackVideo.Null => ["--vo=null"],
            // Drawn nowhere (a tiny terminal picture the agent discards) but with real frames to take screenshots of.
            PlaybackVideo.Offscreen => ["--vo=tct", "--vo-tct-width=32", "--vo-tct-height=18"],
            _ => throw new StreamConfigException($"unknown playback video '{playback.Video}'"),
        });
        // The picture waits for the sound (mpv keeps video in step with the audio output), so the sound card's buffer is
        // latency. mpv asks ALSA for 100 ms (four periods) unless told; the low-latency profile only drops mpv's own
        // buffer (audio-buffer=0). Both outputs keep 50 ms (four periods of 12.5 ms, which any USB or HDA card plays
        // without underruns), so latency measured without speakers (tests, the demo) is what a room with them sees.
        player.AddRange(playback.AudioDevice == "none"
            ? ["--ao=null", "--ao-null-buffer=0.05"]
            : ["--ao=alsa", "--audio-device=alsa/" + playback.AudioDevice, "--alsa-buffer-time=50000", "--alsa-periods=4"]);
        player.Add(slate);
        return new PlaybackPlan(receiver, player, feed, feedPort, ipc, slate);
    }
}

/// <summary>The receiver and player of a lesson's partner playback and where its socket and slate live.</summary>
public sealed record PlaybackPlan(ReceiverPlan Receiver, IReadOnlyList<string> PlayerArgs, string FeedUrl, int FeedPort, string IpcPath, string SlatePath);

/// <summary>From the partner's URL to the local feed: <c>srt-live-transmit</c> for SRT (its latency set when it starts), ffmpeg otherwise.</summary>
public sealed record ReceiverPlan(MediaEndpoint Partner, string FeedUrl)
{
    /// <summary>A statistics report every so many packets received: several a second at any rung a partner sends.</summary>
    public const int ReportEvery = 10;

    public bool IsSrt => Partner.Transport == MediaTransport.Srt;

    public string Program => IsSrt ? "srt-live-transmit" : "ffmpeg";

    public IReadOnlyList<string> Args(int latencyMs) => IsSrt
        ? SrtTransmitRun.Args(UplinkPlan.WithLatency(Partner.Url, latencyMs), FeedUrl, ReportEvery)
        :
        [
            "-hide_banner", "-nostdin", "-loglevel", "warning", "-progress", "pipe:1", "-stats_period", "0.5",
            "-fflags", "nobuffer", "-probesize", "200000", "-analyzeduration", "500000", "-i", Partner.Url,
            "-map", "0", "-c", "copy", .. EncoderPipeline.WallClockStamps,
            .. EncoderPipeline.FeedMuxing.SelectMany(o => new[] { "-" + o.Key, o.Value }),
            "-f", "mpegts", FeedUrl + "?pkt_size=1316",
        ];
}
