using System.Globalization;
using System.Text.RegularExpressions;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Media.Send;

/// <summary>
/// The two ffmpeg processes of a lesson, as argument lists (never a command line: nothing goes through a shell).
/// <list type="bullet">
/// <item>The <b>encoder</b> reads the camera and microphone, encodes H.264 + AAC once, and writes through the
/// <c>tee</c> muxer to the local segmented recording (MPEG-TS segments named by lesson and time) and to a local
/// MPEG-TS feed on 127.0.0.1 UDP.</item>
/// <item>The <b>uplink</b> copies that feed, without re-encoding, to the ingest server over SRT or RTMP.</item>
/// </list>
/// When the network fails only the uplink dies; the recording goes on, and restarting the uplink resumes the
/// stream within seconds without touching the encoder. Values come from validated configuration; the lesson id
/// and recording directory are checked again here because they are spliced into the tee specification.
/// </summary>
public static partial class EncoderPipeline
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex LessonId();


    public static StreamPlan Plan(StreamOptions stream, RecordingOptions recording, string lessonId, int feedPort, EncoderChoice encoder)
    {
        if (!LessonId().IsMatch(lessonId))
            throw new StreamConfigException($"lesson id '{Printable(lessonId)}' must be 1-64 characters of A-Z a-z 0-9 _ - not starting with - or _");
        var dir = recording.Directory;
        PathCheck.Directory(dir, "recording directory");
        if (feedPort is < 1024 or > 65535) throw new StreamConfigException($"feed port {feedPort} is out of range");
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
                a.AddRange([.. Stamped, "-rtsp_transport", "tcp", "-i", stream.VideoInput!]);
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
        a.AddRange(["-map", "0:v:0", "-map", string.Create(inv, $"{audioInput}:a:0")]);
        // VA-API encodes from GPU surfaces: the frames are uploaded at the end of the filter chain.
        var upload = encoder == EncoderChoice.H264Vaapi ? ",format=nv12,hwupload" : "";
        var stamp = stream.VideoSource == VideoSource.Test ? "," + WallClockTime : "";
        a.AddRange(["-vf", string.Create(inv, $"scale={stream.Width}:{stream.Height},fps={stream.Fps}{stamp}{upload}")]);
        a.AddRange(VideoEncoder(encoder, stream.VideoBitrateKbps, gop));
        // Parameter sets before every keyframe: each recorded segment plays on its own, and a restarted uplink or a
        // receiver that joins late can decode from the next keyframe.
        a.AddRange(["-bsf:v", "dump_extra=freq=keyframe"]);
        if (stream.AudioSource == AudioSource.Test) a.AddRange(["-af", "a" + WallClockTime]);
        a.AddRange(["-c:a", "aac", "-b:a", string.Create(inv, $"{stream.AudioBitrateKbps}k"), "-ar", "48000"]);
        var pattern = Path.Combine(dir, $"{lessonId}-%Y%m%d-%H%M%S.ts");
        a.AddRange(WallClockStamps);
        a.AddRange(["-f", "tee", "-use_fifo", "1",
            // Segments are cut on the wall clock (the stamps are wall-clock time: counted from zero the segment muxer would
            // cut at every keyframe), so they start at round times, e.g. every minute on the minute.
            string.Create(inv, $"[f=segment:segment_time={recording.SegmentSeconds}:segment_atclocktime=1:segment_format=mpegts:strftime=1]{pattern}|[f=mpegts:onfail=ignore]udp://127.0.0.1:{feedPort}?pkt_size=1316")]);

        List<string>? uplink = null;
        if (stream.Uplink is { } endpoint)
        {
            var format = endpoint.Transport == MediaTransport.Srt ? "mpegts" : "flv";
            uplink =
            [
                "-hide_banner", "-nostdin", "-loglevel", "warning", "-progress", "pipe:1", "-stats_period", "1",
                "-fflags", "+genpts", "-analyzeduration", "500000", "-probesize", "200000", "-i", string.Create(inv, $"udp://127.0.0.1:{feedPort}?localaddr=127.0.0.1&fifo_size=1000000&overrun_nonfatal=1&timeout=2000000"),
                "-c", "copy", .. WallClockStamps, "-f", format, endpoint.Url,
            ];
        }
        return new StreamPlan(a, uplink, pattern, feedPort);
    }

    /// <summary>Output options that keep the input's wall-clock stamps as they are (no shift to zero, no mux delay).</summary>
    public static readonly string[] WallClockStamps = ["-copyts", "-muxdelay", "0", "-muxpreload", "0"];

    private static IEnumerable<string> VideoEncoder(EncoderChoice encoder, int kbps, int gop)
    {
        var inv = CultureInfo.InvariantCulture;
        var rate = new[] { "-b:v", $"{kbps}k", "-maxrate", $"{kbps}k", "-bufsize", $"{kbps * 2}k", "-g", gop.ToString(inv), "-keyint_min", gop.ToString(inv) };
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

/// <summary>The argument lists of a lesson's processes and where the recording goes.</summary>
public sealed record StreamPlan(IReadOnlyList<string> EncoderArgs, IReadOnlyList<string>? UplinkArgs, string RecordingPattern, int FeedPort);

/// <summary>A stream setting that cannot be turned into safe ffmpeg arguments.</summary>
public sealed class StreamConfigException(string message) : Exception(message);
