using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Media.Link;

namespace EdgeAgent.Media.Send;

/// <summary>
/// The processes of a lesson's stream, as argument lists (never a command line: nothing goes through a shell).
/// <list type="bullet">
/// <item>The <b>encoder</b> (ffmpeg) reads the camera and microphone once and encodes every rung of the ladder
/// (<see cref="Ladder"/>) from the same frames with the same keyframe interval, so the rungs' keyframes fall on the same
/// timestamps. The top rung goes through the <c>tee</c> muxer to the local segmented recording (MPEG-TS segments named
/// by lesson and time) and, like every lower rung, to a local MPEG-TS feed on 127.0.0.1 UDP.</item>
/// <item>The <see cref="RungSwitch"/> (in the agent) passes one rung's feed on to the uplink's.</item>
/// <item>The <b>uplink</b> carries that feed, without re-encoding, to the relay or ingest server: libsrt's
/// <c>srt-live-transmit</c> for SRT (packet for packet, with the connection's statistics), ffmpeg for RTMP.</item>
/// </list>
/// When the network fails only the uplink dies; the recording goes on, and restarting the uplink resumes the stream
/// within seconds without touching the encoder. Values come from validated configuration; the lesson id and recording
/// directory are checked again here because they are spliced into the tee specification.
/// </summary>
public static partial class EncoderPipeline
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex LessonId();

    /// <param name="rungPorts">Where each rung's feed goes (the switch's inputs); empty when nothing is sent (record only).</param>
    public static StreamPlan Plan(StreamOptions stream, RecordingOptions recording, string lessonId, IReadOnlyList<Rung> rungs, IReadOnlyList<int> rungPorts,
        UplinkPlan? uplink, EncoderChoice encoder)
    {
        if (!LessonId().IsMatch(lessonId))
            throw new StreamConfigException($"lesson id '{Printable(lessonId)}' must be 1-64 characters of A-Z a-z 0-9 _ - not starting with - or _");
        var dir = recording.Directory;
        PathCheck.Directory(dir, "recording directory");
        if (rungs.Count == 0) throw new StreamConfigException("a stream needs at least its top rung");
        if (rungPorts.Count != 0 && rungPorts.Count != rungs.Count) throw new StreamConfigException($"{rungs.Count} rungs but {rungPorts.Count} feed ports");
        foreach (var port in rungPorts.Append(uplink?.FeedPort ?? 1024))
            if (port is < 1024 or > 65535) throw new StreamConfigException($"feed port {port} is out of range");
        if (encoder == EncoderChoice.Auto || !Enum.IsDefined(encoder))
            throw new StreamConfigException($"encoder '{encoder}' is not a resolved encoder");

        var a = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "warning", "-progress", "pipe:1", "-stats_period", "1" };
        var inv = CultureInfo.InvariantCulture;
        // Every frame carries the wall clock, and the stamps are kept to the output (-copyts, no mux delay): the partner's
        // player compares them with its own clock, which is the glass-to-glass latency. A device is stamped as it is read.
        // The test source is paced by -re on its own timestamps (stamped as read, its audio and video drift apart), so its
        // frames get the wall clock in the filter: its own time plus the wall clock when the filter met the first frame,
        // which is when -re started the pacing (a shift fixed before the encoder starts would count the encoder's start-up,
        // some 0.5 s, as latency).
        string[] Stamped = ["-use_wallclock_as_timestamps", "1"];
        const string WallClockTime = "setpts=PTS-STARTPTS+RTCSTART/(TB*1000000)";
        switch (stream.VideoSource)
        {
            case VideoSource.Test:
                a.AddRange(["-re", "-f", "lavfi", "-i", string.Create(inv, $"{Words.Of(stream.TestPattern)}=size={stream.Width}x{stream.Height}:rate={stream.Fps}")]);
                break;
            case VideoSource.V4l2:
                a.AddRange([.. Stamped, "-f", "v4l2", "-framerate", stream.Fps.ToString(inv), "-video_size", string.Create(inv, $"{stream.Width}x{stream.Height}"), "-i", stream.VideoInput!]);
                break;
            case VideoSource.Rtsp:
                // A camera that stops sending (unplugged, hung) ends the input after 5 s without data (socket timeout, µs).
                a.AddRange([.. Stamped, "-rtsp_transport", "tcp", "-timeout", "5000000", "-i", stream.VideoInput!]);
                break;
            default:
                throw new StreamConfigException($"unknown video source '{stream.VideoSource}'");
        }
        var audioInput = 0;
        switch (stream.AudioSource)
        {
            case AudioSource.Test:
                a.AddRange(["-re", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000"]);
                audioInput = 1;
                break;
            case AudioSource.Alsa:
                a.AddRange([.. Stamped, "-f", "alsa", "-i", stream.AudioInput!]);
                audioInput = 1;
                break;
            case AudioSource.Rtsp:
                audioInput = 0;
                break;
            default:
                throw new StreamConfigException($"unknown audio source '{stream.AudioSource}'");
        }
        var gop = stream.Fps * stream.GopSeconds;
        // One picture, split into the rungs: the same frames and the same fixed keyframe interval in every encoder, so the
        // rungs have keyframes at the same timestamps, where the switch can change rung without a gap.
        // VA-API encodes from GPU surfaces: the frames are uploaded at the end of each rung's chain.
        var upload = encoder == EncoderChoice.H264Vaapi ? ",format=nv12,hwupload" : "";
        var stamp = stream.VideoSource == VideoSource.Test ? "," + WallClockTime : "";
        // The fps filter holds each frame until the next arrives (one frame of latency, 40 ms at 25 fps): only a network
        // camera, whose rate is its own, needs it. The test source and a V4L2 camera are opened at the configured rate.
        // A network camera's frames are stamped with the wall clock as they are decoded: the RTSP demuxer's own
        // wall-clock stamps leave the first frame unstamped, and the fps filter would fill the gap from zero with
        // billions of copies (the encoder then ran ~40 times ahead of real time and never caught up).
        var rate = stream.VideoSource == VideoSource.Rtsp ? string.Create(inv, $",fps={stream.Fps}") : "";
        var decoded = stream.VideoSource == VideoSource.Rtsp ? "setpts=RTCTIME/(TB*1000000)," : "";
        var graph = new StringBuilder(string.Create(inv, $"[0:v]{decoded}scale={stream.Width}:{stream.Height}{rate}{stamp}"));
        if (rungs.Count == 1) graph.Append(upload).Append("[v0]");
        else
        {
            graph.Append(inv, $",split={rungs.Count}");
            for (var i = 0; i < rungs.Count; i++) graph.Append(inv, $"[s{i}]");
            for (var i = 0; i < rungs.Count; i++)
                graph.Append(inv, $";[s{i}]").Append(i == 0 ? "null" : string.Create(inv, $"scale={rungs[i].Width}:{rungs[i].Height}")).Append(upload).Append(inv, $"[v{i}]");
        }
        // The test source's sound gets its wall-clock stamps in the same graph for every rung: each output's own filter
        // would read the clock at its own first frame, and the rungs' sound would be stamped a few milliseconds apart.
        var audioMaps = Enumerable.Repeat(string.Create(inv, $"{audioInput}:a:0"), rungs.Count).ToList();
        if (stream.AudioSource == AudioSource.Test)
        {
            graph.Append(inv, $";[{audioInput}:a]a{WallClockTime}");
            if (rungs.Count == 1) graph.Append("[a0]");
            else
            {
                graph.Append(inv, $",asplit={rungs.Count}");
                for (var i = 0; i < rungs.Count; i++) graph.Append(inv, $"[a{i}]");
            }
            audioMaps = Enumerable.Range(0, rungs.Count).Select(i => string.Create(inv, $"[a{i}]")).ToList();
        }
        a.AddRange(["-filter_complex", graph.ToString()]);
        var pattern = Path.Combine(dir, $"{lessonId}-%Y%m%d-%H%M%S.ts");
        for (var i = 0; i < rungs.Count; i++)
        {
            var rung = rungs[i];
            a.AddRange(["-map", string.Create(inv, $"[v{i}]"), "-map", audioMaps[i]]);
            a.AddRange(VideoEncoder(encoder, rung.VideoKbps, gop));
            // Parameter sets before every keyframe: each recorded segment plays on its own, and a restarted uplink, a
            // receiver that joins late or a switch of rung can decode from the next keyframe.
            a.AddRange(["-bsf:v", "dump_extra=freq=keyframe"]);
            a.AddRange(["-c:a", "aac", "-b:a", string.Create(inv, $"{rung.AudioKbps}k"), "-ar", "48000"]);
            a.AddRange(WallClockStamps);
            var feed = rungPorts.Count == 0 ? null : string.Create(inv, $"udp://127.0.0.1:{rungPorts[i]}?pkt_size=1316");
            if (i == 0)
            {
                // Segments are cut on the wall clock (the stamps are wall-clock time: counted from zero the segment muxer would
                // cut at every keyframe), so they start at round times, e.g. every minute on the minute.
                var recordingLeg = string.Create(inv, $"[f=segment:segment_time={recording.SegmentSeconds}:segment_atclocktime=1:segment_format=mpegts:strftime=1]{pattern}");
                a.AddRange(["-f", "tee", "-use_fifo", "1", feed is null ? recordingLeg : $"{recordingLeg}|[f=mpegts:{string.Join(':', FeedMuxing.Select(o => $"{o.Key}={o.Value}"))}:onfail=ignore]{feed}"]);
            }
            else
            {
                foreach (var (option, value) in FeedMuxing) a.AddRange(["-" + option, value]);
                a.AddRange(["-f", "mpegts", feed!]);
            }
        }
        return new StreamPlan(a, uplink, pattern, rungs, rungPorts);
    }

    /// <summary>
    /// How a live feed is cut into MPEG-TS for the partner's player, which shows each frame as soon as it is whole:
    /// <list type="bullet">
    /// <item><c>pes_payload_size=0</c>: each sound frame leaves in its own PES at once (the muxer would hold it for the next);</item>
    /// <item><c>omit_video_pes_length=0</c>: each picture's PES says its length (up to 64 KiB), so the receiving demuxer
    /// hands it on at its last byte instead of when the next picture starts (a frame interval, 40 ms at 25 fps);</item>
    /// <item><c>pat_period=0.5</c>: the tables (PAT and PMT) twice a second instead of ffmpeg's ten times, 24 kbit/s less on
    /// the wire (5 % of the lowest rung); a receiver that joins waits for a keyframe (every second) anyway.</item>
    /// </list>
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> FeedMuxing =
        [new("pes_payload_size", "0"), new("omit_video_pes_length", "0"), new("pat_period", "0.5")];

    /// <summary>Output options that keep the input's wall-clock stamps as they are (no shift to zero, no mux delay).</summary>
    public static readonly string[] WallClockStamps = ["-copyts", "-muxdelay", "0", "-muxpreload", "0"];

    private static IEnumerable<string> VideoEncoder(EncoderChoice encoder, int kbps, int gop)
    {
        var inv = CultureInfo.InvariantCulture;
        // A one-second rate buffer: a keyframe may not be much bigger than a second's share, so it does not come as a
        // burst that a weak link's queue cannot hold.
        var rate = new[] { "-b:v", $"{kbps}k", "-maxrate", $"{kbps}k", "-bufsize", $"{kbps}k", "-g", gop.ToString(inv), "-keyint_min", gop.ToString(inv) };
        return encoder switch
        {
            EncoderChoice.Libx264 => ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-sc_threshold", "0", .. rate],
            EncoderChoice.H264Vaapi => ["-vaapi_device", "/dev/dri/renderD128", "-c:v", "h264_vaapi", .. rate],
            EncoderChoice.H264Qsv => ["-c:v", "h264_qsv", .. rate],
            EncoderChoice.H264V4l2m2m => ["-c:v", "h264_v4l2m2m", "-pix_fmt", "yuv420p", .. rate],
            _ => throw new StreamConfigException($"unknown encoder '{encoder}'"),
        };
    }

    private static string Printable(string s) => Contract.Commands.Printable.Of(s);
}

/// <summary>The encoder's argument list, the rungs and where their feeds go, the uplink, and where the recording goes.</summary>
public sealed record StreamPlan(IReadOnlyList<string> EncoderArgs, UplinkPlan? Uplink, string RecordingPattern, IReadOnlyList<Rung> Rungs, IReadOnlyList<int> RungPorts);

/// <summary>
/// The uplink: from the switch's output (a local MPEG-TS feed on <see cref="FeedPort"/>) to <see cref="Endpoint"/>. SRT is
/// carried by <c>srt-live-transmit</c>, with the latency chosen at the lesson's start and a statistics report every
/// <see cref="ReportEvery"/> packets; RTMP by ffmpeg (FLV, no re-encoding).
/// </summary>
public sealed record UplinkPlan(MediaEndpoint Endpoint, int FeedPort, int ReportEvery)
{
    public bool IsSrt => Endpoint.Transport == MediaTransport.Srt;

    public string Program => IsSrt ? "srt-live-transmit" : "ffmpeg";

    public IReadOnlyList<string> Args(int latencyMs)
    {
        var inv = CultureInfo.InvariantCulture;
        if (IsSrt)
            return SrtTransmitRun.Args(string.Create(inv, $"udp://127.0.0.1:{FeedPort}"), WithLatency(Endpoint.Url, latencyMs), ReportEvery);
        return
        [
            "-hide_banner", "-nostdin", "-loglevel", "warning", "-progress", "pipe:1", "-stats_period", "1",
            "-fflags", "+genpts", "-analyzeduration", "500000", "-probesize", "200000", "-i", string.Create(inv, $"udp://127.0.0.1:{FeedPort}?localaddr=127.0.0.1&fifo_size=1000000&overrun_nonfatal=1&timeout=2000000"),
            "-c", "copy", .. EncoderPipeline.WallClockStamps, "-f", "flv", Endpoint.Url,
        ];
    }

    /// <summary>An SRT URL with its latency (libsrt's URI parameter, in milliseconds).</summary>
    public static string WithLatency(string url, int latencyMs) =>
        url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Create(CultureInfo.InvariantCulture, $"latency={latencyMs}");

    /// <summary>A report every so many packets, about twice a second at <paramref name="lowestKbps"/> (srt-live-transmit counts packets, not time).</summary>
    public static int ReportEveryFor(int lowestKbps) => Math.Clamp((int)(lowestKbps * 1000 / 8.0 / 1316 / 2.5), 4, 200);
}

/// <summary>A stream setting that cannot be turned into safe ffmpeg arguments.</summary>
public sealed class StreamConfigException(string message) : Exception(message);
