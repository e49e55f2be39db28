using FFMpegCore;

namespace EdgeAgent.Media;

/// <summary>What ffprobe finds in a recording, a received stream or a source.</summary>
public sealed record MediaSummary(
    string? VideoCodec, int Width, int Height, double FrameRate, string? AudioCodec, TimeSpan StartTime, TimeSpan Duration);

/// <summary>
/// ffprobe analysis through FFMpegCore (JSON output, parsed by the library). Used on recorded segments and by the
/// source probes. FFMpegCore renders a command line as one string, so the lesson's own ffmpeg processes are built as
/// argument lists by <see cref="EncoderPipeline"/> instead.
/// </summary>
public static class MediaProbe
{
    public static async Task<MediaSummary> AnalyseAsync(string fileOrUrl, CancellationToken ct = default)
    {
        var analysis = fileOrUrl.Contains("://", StringComparison.Ordinal)
            ? await FFProbe.AnalyseAsync(new Uri(fileOrUrl), cancellationToken: ct).ConfigureAwait(false)
            : await FFProbe.AnalyseAsync(fileOrUrl, cancellationToken: ct).ConfigureAwait(false);
        var video = analysis.PrimaryVideoStream;
        var audio = analysis.PrimaryAudioStream;
        return new MediaSummary(video?.CodecName, video?.Width ?? 0, video?.Height ?? 0, video?.AverageFrameRate ?? 0, audio?.CodecName,
            analysis.Format.StartTime, analysis.Format.Duration);
    }
}
