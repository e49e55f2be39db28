using System.Diagnostics;
using System.Text;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Media;

/// <summary>A lesson's MPEG-TS segments (H.264 + AAC, stamped far from zero as the lesson's wall-clock stamps are) joined by real ffmpeg into one MP4.</summary>
public sealed class LessonFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Segments of 2 s of a test lesson named as the encoder names them, the first at <paramref name="first"/>.</summary>
    private async Task<List<string>> SegmentsAsync(string stream, int seconds, DateTime first)
    {
        var work = Path.Combine(_dir.Path, "work-" + stream);
        Directory.CreateDirectory(work);
        var info = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[]
                 {
                     "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                     "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac",
                     "-output_ts_offset", "54000", "-f", "segment", "-segment_time", "2", "-segment_format", "mpegts", Path.Combine(work, "%03d.ts"),
                 })
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, error);
        var named = new List<string>();
        foreach (var (file, i) in Directory.GetFiles(work).Order(StringComparer.Ordinal).Select((f, i) => (f, i)))
        {
            var name = Path.Combine(_dir.Path, $"{stream}-{first.AddSeconds(2 * i):yyyyMMdd-HHmmss}.ts");
            File.Move(file, name);
            named.Add(name);
        }
        return named;
    }

    [Fact]
    public async Task A_lessons_segments_are_joined_into_one_mp4_that_plays_with_the_record_beside_it_and_a_broken_segment_is_skipped()
    {
        var segments = await SegmentsAsync("mon-p1", 9, new DateTime(2026, 12, 7, 8, 30, 0));
        Assert.True(segments.Count >= 4);
        await SegmentsAsync("mon-p1-2", 3, new DateTime(2026, 12, 7, 8, 30, 0)); // another lesson whose name starts the same
        var broken = Path.Combine(_dir.Path, "mon-p1-20261207-083100.ts");
        await File.WriteAllBytesAsync(broken, Encoding.ASCII.GetBytes(new string('x', 5000)));

        var found = LessonFile.SegmentsOf(_dir.Path, "mon-p1", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal([.. segments, broken], found);

        var expected = 0.0;
        foreach (var s in segments) expected += (await MediaProbe.AnalyseAsync(s)).Duration.TotalSeconds;
        var joined = await LessonFile.JoinAsync(found, Path.Combine(_dir.Path, "outgoing"), "mon-p1", "{\"id\":\"mon-p1\"}"u8.ToArray(), CancellationToken.None);

        Assert.NotNull(joined);
        Assert.Equal([broken], joined.Skipped);
        Assert.Equal(segments, joined.Segments);
        var summary = await MediaProbe.AnalyseAsync(joined.Mp4Path);
        Assert.Equal(("h264", "aac"), (summary.VideoCodec, summary.AudioCodec));
        Assert.True(Math.Abs(summary.Duration.TotalSeconds - expected) < 1, $"joined {summary.Duration.TotalSeconds:0.00} s, segments {expected:0.00} s");
        Assert.True(summary.StartTime < TimeSpan.FromSeconds(1), $"the file starts at {summary.StartTime}");
        // faststart: the index (moov) before the media data (mdat).
        var head = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(joined.Mp4Path));
        Assert.True(head.IndexOf("moov", StringComparison.Ordinal) < head.IndexOf("mdat", StringComparison.Ordinal));
        Assert.Equal("{\"id\":\"mon-p1\"}", await File.ReadAllTextAsync(joined.MetadataPath));
        Assert.Equal(new FileInfo(joined.Mp4Path).Length, joined.Bytes);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "outgoing"), ".*")); // no list or partial file left behind
    }

    [Fact]
    public async Task A_lesson_with_nothing_readable_gives_no_file()
    {
        var broken = Path.Combine(_dir.Path, "tue-p2-20261208-083000.ts");
        await File.WriteAllBytesAsync(broken, new byte[4096]);
        Assert.Null(await LessonFile.JoinAsync([broken], Path.Combine(_dir.Path, "outgoing"), "tue-p2", [], CancellationToken.None));
    }
}
