using System.Globalization;
using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using EdgeAgent.Media.Send;

namespace EdgeAgent.Compliance.Probes;

/// <summary>
/// Capture resolution and frame rate of the room's video source, by ffprobe on it (the V4L2 device, the RTSP URL
/// or the test source), and the codec the stream encodes to. Not run while a lesson stream holds the camera:
/// then the stream's own figures are the evidence.
/// </summary>
public sealed class VideoSourceProbe(StreamOptions stream) : IComplianceProbe
{
    public string Name => "video";
    public IReadOnlyList<string> Metrics => ["video.height", "video.fps", "encoder.codec"];

    public async Task<IReadOnlyList<Measurement>> MeasureAsync(CancellationToken ct)
    {
        var results = new List<Measurement>();
        var encoder = Words.Of(await EncoderProbe.ResolveAsync(stream.Encoder, ct).ConfigureAwait(false));
        var codec = encoder.Contains("264", StringComparison.Ordinal) ? "h264" : encoder.Contains("265", StringComparison.Ordinal) || encoder.Contains("hevc", StringComparison.Ordinal) ? "hevc" : encoder;
        results.Add(Measurement.Of("encoder.codec", codec, $"encoder {encoder}"));

        var args = new List<string> { "-v", "error", "-show_streams", "-select_streams", "v:0", "-of", "json" };
        string what;
        switch (stream.VideoSource)
        {
            case VideoSource.Test:
                args.AddRange(["-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc2=size={stream.Width}x{stream.Height}:rate={stream.Fps}")]);
                what = "the test source";
                break;
            case VideoSource.V4l2:
                args.AddRange(["-f", "v4l2", "-i", stream.VideoInput!]);
                what = stream.VideoInput!;
                break;
            default:
                args.AddRange(["-rtsp_transport", "tcp", "-i", stream.VideoInput!]);
                what = Redaction.Url(stream.VideoInput!);
                break;
        }
        var (code, output, error) = await ProgramRun.RunAsync("ffprobe", args, ct).ConfigureAwait(false);
        if (code != 0)
        {
            var reason = $"ffprobe could not open {what}: {error.Trim().Split('\n').LastOrDefault()}";
            results.Add(Measurement.Unknown("video.height", reason));
            results.Add(Measurement.Unknown("video.fps", reason));
            return results;
        }
        using var doc = JsonDocument.Parse(output);
        if (!doc.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
        {
            results.Add(Measurement.Unknown("video.height", $"{what} has no video stream"));
            results.Add(Measurement.Unknown("video.fps", $"{what} has no video stream"));
            return results;
        }
        var v = streams[0];
        var width = v.GetProperty("width").GetInt32();
        var height = v.GetProperty("height").GetInt32();
        var fps = Rate(v.TryGetProperty("avg_frame_rate", out var avg) ? avg.GetString() : null)
            ?? Rate(v.TryGetProperty("r_frame_rate", out var r) ? r.GetString() : null) ?? 0;
        var codecName = v.TryGetProperty("codec_name", out var c) ? c.GetString() : "?";
        results.Add(Measurement.Of("video.height", height, $"{what}: {width}x{height} {codecName}"));
        results.Add(Measurement.Of("video.fps", Math.Round(fps, 2), $"{what}: {fps:0.##} fps"));
        return results;
    }

    private static double? Rate(string? text)
    {
        if (text is null) return null;
        var parts = text.Split('/');
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 && n > 0) return n / d;
        return null;
    }
}
