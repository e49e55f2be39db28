using System.Globalization;
using System.Text.Json;
using EdgeAgent.Kernel;
using System.Text.RegularExpressions;

namespace EdgeAgent.Media.Record;

/// <summary>One lesson as one file: its segments joined, the lesson record beside it.</summary>
/// <param name="Skipped">Segments that could not be read (left out of the file, counted).</param>
public sealed record JoinedLesson(string Mp4Path, string MetadataPath, long Bytes, double Seconds, IReadOnlyList<string> Segments, IReadOnlyList<string> Skipped);

/// <summary>
/// Makes the file the office receives of a lesson: its MPEG-TS segments joined without re-encoding (ffmpeg's concat
/// demuxer, stream copy) into one MP4 with its index at the front (<c>+faststart</c>: it plays while it downloads), named
/// by the lesson, and the lesson record beside it as JSON. A segment ffprobe cannot read is left out and counted.
/// </summary>
public static partial class LessonFile
{
    [GeneratedRegex(@"-\d{8}-\d{6}\.ts$")]
    private static partial Regex SegmentTail();

    /// <summary>
    /// The segments of the stream <paramref name="streamName"/> (the encoder's file prefix) written between
    /// <paramref name="from"/> and <paramref name="until"/>, in order. Another lesson whose name starts the same
    /// (<c>mon-p1</c>, <c>mon-p1-2</c>) is not taken: only the time stamp may follow the name.
    /// </summary>
    public static IReadOnlyList<string> SegmentsOf(string directory, string streamName, DateTimeOffset from, DateTimeOffset until)
    {
        if (!Directory.Exists(directory)) return [];
        return new DirectoryInfo(directory).EnumerateFiles($"{streamName}-*.ts")
            .Where(f => f.Name.Length == streamName.Length + 19 && SegmentTail().IsMatch(f.Name))
            .Where(f => f.LastWriteTimeUtc >= from.UtcDateTime && f.LastWriteTimeUtc <= until.UtcDateTime)
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => f.FullName)
            .ToList();
    }

    /// <summary>
    /// Joins <paramref name="segments"/> into <c>{name}.mp4</c> in <paramref name="outDirectory"/> and writes
    /// <paramref name="metadataJson"/> to <c>{name}.json</c> beside it. Null when no segment could be read.
    /// </summary>
    public static async Task<JoinedLesson?> JoinAsync(IReadOnlyList<string> segments, string outDirectory, string name, byte[] metadataJson, CancellationToken ct)
    {
        if (name.Length == 0 || name.IndexOfAny(['/', '\0']) >= 0 || name.StartsWith('.')) throw new ArgumentException($"'{name}' is not a file name", nameof(name));
        Directory.CreateDirectory(outDirectory);
        var good = new List<string>();
        var skipped = new List<string>();
        var seconds = 0.0;
        foreach (var segment in segments)
        {
            var duration = await ReadableSecondsAsync(segment, ct).ConfigureAwait(false);
            if (duration is { } d)
            {
                good.Add(segment);
                seconds += d;
            }
            else skipped.Add(segment);
        }
        if (good.Count == 0) return null;

        var list = Path.Combine(outDirectory, $".{name}.concat");
        var partial = Path.Combine(outDirectory, $".{name}.mp4.part");
        var mp4 = Path.Combine(outDirectory, $"{name}.mp4");
        // The concat demuxer's own list: one quoted path per line (a ' inside is closed, escaped and reopened).
        await File.WriteAllLinesAsync(list, good.Select(s => $"file '{s.Replace("'", @"'\''", StringComparison.Ordinal)}'"), ct).ConfigureAwait(false);
        try
        {
            string[] args =
            [
                "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", list,
                "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-movflags", "+faststart", "-f", "mp4", "-y", partial,
            ];
            var (code, _, error) = await ProgramRun.RunAsync("ffmpeg", args, ct).ConfigureAwait(false);
            if (code != 0) throw new IOException($"ffmpeg could not join {good.Count} segment(s) of {name}: {error.Trim()}");
            File.Move(partial, mp4, overwrite: true);
        }
        finally
        {
            File.Delete(list);
            File.Delete(partial);
        }
        var metadata = Path.Combine(outDirectory, $"{name}.json");
        await File.WriteAllBytesAsync(metadata, metadataJson, ct).ConfigureAwait(false);
        return new JoinedLesson(mp4, metadata, new FileInfo(mp4).Length, Math.Round(seconds, 1), good, skipped);
    }

    /// <summary>
    /// The seconds of a segment ffprobe can read, with a picture in it; null when it cannot. ffprobe is run directly (JSON
    /// read with System.Text.Json): FFMpegCore's reflection-based parsing cannot be compiled ahead of time.
    /// </summary>
    private static async Task<double?> ReadableSecondsAsync(string segment, CancellationToken ct)
    {
        var (code, output, _) = await ProgramRun.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration:stream=codec_type", "-of", "json", segment], ct)
            .ConfigureAwait(false);
        if (code != 0) return null;
        try
        {
            using var doc = JsonDocument.Parse(output);
            var root = doc.RootElement;
            var video = root.TryGetProperty("streams", out var streams) && streams.ValueKind == JsonValueKind.Array
                && streams.EnumerateArray().Any(s => s.TryGetProperty("codec_type", out var t) && t.GetString() == "video");
            var seconds = root.TryGetProperty("format", out var format) && format.TryGetProperty("duration", out var d)
                && double.TryParse(d.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
            return video && seconds > 0 ? seconds : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
