using EdgeAgent.Configuration;
using EdgeAgent.State;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Media;

public sealed class RecordingRetentionTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly StateDatabase _db;
    private readonly string _rec;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public RecordingRetentionTests()
    {
        _db = new StateDatabase(_dir.File("state"), NullLogger<StateDatabase>.Instance);
        _db.Migrate();
        _rec = _dir.File("rec");
        Directory.CreateDirectory(_rec);
    }

    public void Dispose() => _dir.Dispose();

    private RecordingRetention Retention(long quota, long minFree = 0, Func<IEnumerable<int>>? pids = null, long free = long.MaxValue / 2, bool upload = false) =>
        new(_db, new RecordingOptions
            {
                Directory = _rec, QuotaBytes = quota, MinFreeBytes = minFree, Upload = new UploadOptions { Target = upload ? "office:lessons" : null },
            }, _time, NullLogger<RecordingRetention>.Instance, pids ?? (() => []), _ => free);

    /// <summary>Five finished segments of 1000 bytes, a minute apart, the newest a minute old.</summary>
    private List<string> FiveSegments()
    {
        var files = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var f = Path.Combine(_rec, $"lesson-{i % 2}-20261123-08{i:00}00.ts");
            File.WriteAllBytes(f, TransportStream(1000));
            File.SetLastWriteTimeUtc(f, _time.GetUtcNow().UtcDateTime.AddMinutes(i - 6));
            files.Add(f);
        }
        return files;
    }

    /// <summary>Bytes that look like MPEG-TS: a sync byte every 188.</summary>
    private static byte[] TransportStream(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i += 188) bytes[i] = 0x47;
        return bytes;
    }

    [Fact]
    public void Segments_with_nothing_playable_are_removed_counted_and_never_listed()
    {
        var files = FiveSegments();
        File.WriteAllBytes(files[1], []);                 // opened by an encoder killed at once
        File.WriteAllBytes(files[3], new byte[4096]);      // no sync bytes: not a transport stream
        File.WriteAllBytes(files[2], TransportStream(500)); // fewer than four packets
        foreach (var f in files) File.SetLastWriteTimeUtc(f, _time.GetUtcNow().UtcDateTime.AddMinutes(-6 + files.IndexOf(f)));
        var retention = Retention(quota: long.MaxValue);

        Assert.Empty(retention.Enforce());

        Assert.Equal(new[] { files[0], files[4] }, retention.Pending().Select(s => s.Path));
        Assert.Equal(3, retention.Damaged);
        Assert.False(File.Exists(files[1]));
        Assert.False(File.Exists(files[3]));
    }

    [Fact]
    public void Over_quota_the_oldest_segments_go_first_until_it_fits()
    {
        var files = FiveSegments();
        var deleted = Retention(quota: 2500).Enforce();
        Assert.Equal(files[..3], deleted);
        Assert.All(files[3..], f => Assert.True(File.Exists(f)));
    }

    [Fact]
    public void Below_the_free_space_floor_segments_are_deleted_until_it_is_met()
    {
        var files = FiveSegments();
        var deleted = Retention(quota: long.MaxValue, minFree: 10_000, free: 8_500).Enforce();
        Assert.Equal(files[..2], deleted);
    }

    [Fact]
    public void Finished_segments_are_listed_until_uploaded_or_kept_and_kept_ones_are_not_deleted()
    {
        var files = FiveSegments();
        var retention = Retention(quota: long.MaxValue);
        retention.Enforce();
        Assert.Equal(files, retention.Pending().Select(s => s.Path));
        Assert.Equal("lesson-0", retention.Pending()[0].LessonId);

        retention.MarkUploaded(files[1]);
        retention.MarkKept(files[0]);
        Assert.Equal(new[] { files[2], files[3], files[4] }, retention.Pending().Select(s => s.Path));

        var deleted = Retention(quota: 3000).Enforce();
        Assert.Equal(new[] { files[1], files[2] }, deleted); // the kept oldest stays
        Assert.True(File.Exists(files[0]));
        Assert.Equal("deleted", retention.All().Single(s => s.Path == files[1]).Status);
        Assert.Equal("kept", retention.All().Single(s => s.Path == files[0]).Status);
    }

    [Fact]
    public void A_segment_written_in_the_last_seconds_is_never_deleted()
    {
        var files = FiveSegments();
        File.SetLastWriteTimeUtc(files[4], _time.GetUtcNow().UtcDateTime.AddSeconds(-1));
        var deleted = Retention(quota: 1).Enforce();
        Assert.Equal(files[..4], deleted);
        Assert.True(File.Exists(files[4]));
        Assert.DoesNotContain(Retention(quota: 1).Pending(), s => s.Path == files[4]);
    }

    [Fact]
    public async Task With_a_real_recording_the_quota_deletes_oldest_first_and_never_the_open_segment()
    {
        var options = new StreamOptions { Width = 320, Height = 180, VideoBitrateKbps = 300, AudioBitrateKbps = 64, StallSeconds = 5, StopTimeoutSeconds = 5 };
        var plan = StreamSetup.Create(options, new RecordingOptions { Directory = _rec, SegmentSeconds = 2 }, "lesson-9", EncoderChoice.Libx264, null, TimeProvider.System, _ => { });
        await using var stream = new StreamSupervisor("lesson-9", plan, options, TimeProvider.System, NullLogger.Instance, _ => { });
        stream.Start();
        await Eventually.True(() => Directory.GetFiles(_rec, "lesson-9-*.ts").Length >= 4, TimeSpan.FromSeconds(60), "four segments");

        // The real clock here, so that files written just now count as recent.
        var retention = new RecordingRetention(_db, new RecordingOptions { Directory = _rec, QuotaBytes = 1, MinFreeBytes = 0 }, TimeProvider.System,
            NullLogger<RecordingRetention>.Instance, () => stream.EncoderPid is { } pid ? [pid] : []);
        var open = retention.OpenSegments().Where(f => f.StartsWith(_rec, StringComparison.Ordinal)).ToList();
        var heldByEncoder = Directory.EnumerateFileSystemEntries($"/proc/{stream.EncoderPid}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget).Where(t => t is not null && t.StartsWith(_rec, StringComparison.Ordinal)).ToList();
        Assert.Single(heldByEncoder);
        Assert.Contains(heldByEncoder[0]!, open);
        var before = Directory.GetFiles(_rec, "*.ts").Select(f => new FileInfo(f)).OrderBy(f => f.LastWriteTimeUtc).Select(f => f.FullName).ToList();

        var deleted = retention.Enforce();

        Assert.NotEmpty(deleted);
        Assert.Equal(before.Where(f => !open.Contains(f)).ToList(), deleted.Where(before.Contains).ToList());
        Assert.True(File.Exists(heldByEncoder[0]!), "the open segment was deleted");
        Assert.DoesNotContain(heldByEncoder[0]!, deleted);
        await stream.StopAsync();
        Assert.Equal("h264", (await MediaProbe.AnalyseAsync(heldByEncoder[0]!)).VideoCodec);
    }

    [Fact]
    public async Task After_an_encoder_killed_mid_recording_only_playable_segments_are_listed()
    {
        var options = new StreamOptions { Width = 320, Height = 180, VideoBitrateKbps = 300, AudioBitrateKbps = 64, StallSeconds = 5, StopTimeoutSeconds = 5 };
        var plan = StreamSetup.Create(options, new RecordingOptions { Directory = _rec, SegmentSeconds = 2 }, "lesson-7", EncoderChoice.Libx264, null, TimeProvider.System, _ => { });
        await using (var stream = new StreamSupervisor("lesson-7", plan, options, TimeProvider.System, NullLogger.Instance, _ => { }))
        {
            stream.Start();
            await Eventually.True(() => Directory.GetFiles(_rec, "lesson-7-*.ts").Length >= 3, TimeSpan.FromSeconds(60), "three segments");
            var encoder = System.Diagnostics.Process.GetProcessById(stream.EncoderPid!.Value);
            encoder.Kill(); // SIGKILL: the open segment is cut wherever the encoder was
            await encoder.WaitForExitAsync();
            await stream.StopAsync();
        }
        // What an encoder killed just as it opened its next segment leaves behind.
        var empty = Path.Combine(_rec, "lesson-7-20261123-090000.ts");
        File.WriteAllBytes(empty, []);
        foreach (var f in Directory.GetFiles(_rec, "*.ts")) File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddMinutes(-1));

        var retention = new RecordingRetention(_db, new RecordingOptions { Directory = _rec, QuotaBytes = long.MaxValue, MinFreeBytes = 0 }, TimeProvider.System,
            NullLogger<RecordingRetention>.Instance, () => []);
        retention.Enforce();

        var listed = retention.Pending().Select(s => s.Path).ToList();
        Assert.True(listed.Count >= 2, string.Join(", ", listed)); // the two finished before the kill at least
        Assert.DoesNotContain(empty, listed);
        Assert.False(File.Exists(empty));
        foreach (var segment in listed) Assert.Equal("h264", (await MediaProbe.AnalyseAsync(segment)).VideoCodec);
    }

    [Fact]
    public void With_uploads_the_lessons_the_office_has_go_first_and_one_it_has_not_only_under_the_free_space_floor()
    {
        var files = FiveSegments();
        var retention = Retention(quota: 2500, upload: true);
        retention.Enforce(); // listed
        retention.MarkUploaded(files[3]);
        retention.MarkUploaded(files[4]);

        // Over the quota, above the floor: only what the office has goes, newest or not; the rest waits for its upload.
        Assert.Equal(new[] { files[3], files[4] }, retention.Enforce());
        Assert.Empty(retention.DeletedBeforeUpload);
        Assert.All(files[..3], f => Assert.True(File.Exists(f)));

        // Below the free-space floor with nothing uploaded left: the oldest not-yet-uploaded goes, and is named.
        var underFloor = Retention(quota: 2500, minFree: 2000, free: 1000, upload: true);
        Assert.Equal(new[] { files[0] }, underFloor.Enforce());
        Assert.Equal(new[] { files[0] }, underFloor.DeletedBeforeUpload);
        Assert.Equal("lesson-0", RecordingRetention.LessonOf(Path.GetFileName(files[0])));
    }
}
