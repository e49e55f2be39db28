using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EdgeAgent.Recordings;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static EdgeAgent.Tests.TestSupport.LessonRig;

namespace EdgeAgent.Tests.Recordings;

/// <summary>
/// Lessons recorded by a real lesson stream, joined and uploaded with Debian's rclone to real servers the test starts on
/// 127.0.0.1: nginx's WebDAV and OpenSSH's SFTP. The lesson runner's clock is the fake one; the uploader's the real one.
/// </summary>
public sealed class RecordingUploadTests : LessonRigTest, IAsyncLifetime
{
    private readonly TempDir _servers = new();
    private readonly List<Uploader> _uploaders = [];
    private readonly List<IStorageServer> _started = [];

    public override Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        foreach (var u in _uploaders)
        {
            await u.StopAsync(CancellationToken.None);
            u.Dispose();
        }
        foreach (var s in _started) s.Dispose();
        await base.DisposeAsync();
        _servers.Dispose();
    }

    private async Task<IStorageServer> ServerAsync(string kind)
    {
        var dir = Path.Combine(_servers.Path, kind);
        Directory.CreateDirectory(dir);
        IStorageServer server = kind == "webdav" ? new WebDavServer(dir) : new SftpServer(dir);
        _started.Add(server);
        await server.StartAsync();
        return server;
    }

    private static string TargetOf(IStorageServer server) => server is SftpServer sftp ? $"{sftp.Target}/lessons/{{school}}" : "office:lessons/{school}";

    private LessonRig RigFor(IStorageServer server, int bandwidthKbps = 0, int startDelay = 0) =>
        Rig(At("2022-11-14", "08:20"), [Booking("mon-p1", "2022-11-14", "1")], c => c["recording"]!["upload"] = new JsonObject
        {
            ["target"] = TargetOf(server), ["configFile"] = server.RcloneConfig, ["bandwidthKbps"] = bandwidthKbps, ["startDelayMaxSeconds"] = startDelay,
            ["urlTemplate"] = "https://media.county.example/lessons/{file}",
        });

    private async Task<Uploader> UploaderAsync(LessonRig rig)
    {
        var uploader = new Uploader(rig.Options, new UploadQueue(rig.Database), rig.Runner, rig.Streams, rig.Events, TimeProvider.System, NullLogger<Uploader>.Instance);
        _uploaders.Add(uploader);
        await uploader.StartAsync(CancellationToken.None);
        return uploader;
    }

    /// <summary>Monday's lesson, streamed for at least <paramref name="seconds"/> of real time, then ended: its record.</summary>
    private static async Task<LessonRecord> LessonAsync(LessonRig rig, double seconds)
    {
        await rig.StartAsync();
        await rig.StartsStreamingAt(At("2022-11-14", "08:30"));
        await Eventually.True(() => rig.Streams.Current!.Stats.StreamedSeconds >= seconds, TimeSpan.FromSeconds(60), $"{seconds} s streamed");
        return await rig.EndsAt(At("2022-11-14", "09:05"), 0);
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Events(LessonRig rig) => string.Join(" | ", rig.Raised.Select(e => $"{e.Type}: {e.Detail}"));

    [Theory]
    [InlineData("webdav")]
    [InlineData("sftp")]
    public async Task A_finished_lesson_reaches_the_office_as_one_mp4_with_its_record_checked_there_and_its_segments_marked_uploaded(string kind)
    {
        var server = await ServerAsync(kind);
        var rig = RigFor(server);
        var uploader = await UploaderAsync(rig);
        var record = await LessonAsync(rig, 5);

        try
        {
            await Eventually.True(() => rig.Raised.Any(e => e.Type == EventTypes.RecordingUploaded), TimeSpan.FromSeconds(90), "recording-uploaded");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"not uploaded; queue {string.Join("; ", new UploadQueue(rig.Database).All())}; events: {Events(rig)}");
        }
        var item = Assert.Single(new UploadQueue(rig.Database).All());
        Assert.Equal((UploadQueue.Uploaded, record.Id, "mon-p1-20221114-0830"), (item.State, item.LessonId, item.Name));
        Assert.Equal("https://media.county.example/lessons/mon-p1-20221114-0830.mp4", item.Url);

        // On the server: the file the room made (same checksum), playable, and the record beside it.
        var files = Directory.GetFiles(server.Root, "*", SearchOption.AllDirectories);
        var mp4 = Assert.Single(files, f => f.EndsWith($"/lessons/{rig.Options.Address.School}/mon-p1-20221114-0830.mp4", StringComparison.Ordinal));
        Assert.Equal(item.Sha256, Sha256(mp4));
        var summary = await MediaProbe.AnalyseAsync(mp4);
        Assert.Equal(("h264", "aac"), (summary.VideoCodec, summary.AudioCodec));
        Assert.True(summary.Duration.TotalSeconds >= 3, $"{summary.Duration.TotalSeconds} s in the file");
        var json = JsonNode.Parse(File.ReadAllText(Assert.Single(files, f => f.EndsWith("mon-p1-20221114-0830.json", StringComparison.Ordinal))))!;
        Assert.Equal(record.Id, (string?)json["id"]);

        var uploaded = Assert.Single(rig.Raised, e => e.Type == EventTypes.RecordingUploaded);
        Assert.Contains(kind == "sftp" ? "checked by size and md5" : "checked by size (the storage gives no checksum)", uploaded.Detail);
        // The follow-up the office files the lesson's storage by: structured, on the event.
        Assert.Equal(new RecordingReport(record.Id, "mon-p1-20221114-0830.mp4", item.Url!, item.Bytes!.Value, item.Sha256!, item.Skipped,
            uploaded.Recording!.CheckedBy), uploaded.Recording);
        Assert.DoesNotContain(rig.Raised, e => e.Type == EventTypes.RecordingUploadFailed);
        // The room's bookkeeping: its segments uploaded (retention takes them first), the local copy gone, nothing waiting.
        Assert.NotEmpty(item.Segments);
        Assert.All(item.Segments, s => Assert.Contains(rig.Streams.Retention.All(), r => r.Path == s && r.Status == "uploaded"));
        Assert.False(File.Exists(item.Mp4));
        await Eventually.True(() => uploader.Backlog.Files == 0, TimeSpan.FromSeconds(10), "nothing waiting");
    }

    [Fact]
    public async Task A_lesson_starting_during_an_upload_stops_it_and_it_finishes_after_the_lesson()
    {
        var server = await ServerAsync("webdav");
        var rig = RigFor(server, bandwidthKbps: 160); // 20 kB/s: the file takes a while
        var uploader = await UploaderAsync(rig);
        await LessonAsync(rig, 6);
        await Eventually.True(() => uploader.Copying, TimeSpan.FromSeconds(60), "the copy under way");

        // An ad-hoc lesson: the room is live at once.
        Assert.NotNull(await rig.Runner.StartManualAsync("teacher"));
        var stopped = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.True(() => !uploader.Copying, TimeSpan.FromSeconds(10), "the copy stopped");
        stopped.Stop();
        Assert.DoesNotContain(Machine.DescendantsOf(Environment.ProcessId), pid => File.ReadAllText($"/proc/{pid}/comm").Trim() == "rclone");
        Assert.DoesNotContain(rig.Raised, e => e.Type is EventTypes.RecordingUploadFailed or EventTypes.RecordingUploaded);
        var item0 = new UploadQueue(rig.Database).Find("mon-p1-20221114-0830")!;
        Assert.Equal((1, item0.Bytes), (uploader.Backlog.Files, (long?)uploader.Backlog.Bytes));

        await rig.Runner.StopManualAsync("teacher");
        try
        {
            await Eventually.True(() => rig.Raised.Any(e => e.Type == EventTypes.RecordingUploaded && e.Detail.Contains("mon-p1-20221114-0830", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(120), "the upload finished after the lesson");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"not uploaded; events: {Events(rig)}");
        }
        var item = new UploadQueue(rig.Database).Find("mon-p1-20221114-0830")!;
        Assert.Equal(item.Sha256, Sha256(Assert.Single(Directory.GetFiles(server.Root, "mon-p1-20221114-0830.mp4", SearchOption.AllDirectories))));
        Assert.Equal(0, item.Attempts); // a pause is no failed try
        Console.WriteLine($"copy stopped {stopped.ElapsedMilliseconds} ms after the lesson started");
    }

    [Fact]
    public async Task An_agent_restarted_with_a_file_already_on_the_storage_does_not_send_it_again_and_loses_nothing()
    {
        var server = await ServerAsync("webdav");
        var rig = RigFor(server, startDelay: 3600); // joined at once, sent only an hour after the room is free
        var first = await UploaderAsync(rig);
        await LessonAsync(rig, 4);
        var queue = new UploadQueue(rig.Database);
        await Eventually.True(() => queue.Find("mon-p1-20221114-0830")?.State == UploadQueue.Queued, TimeSpan.FromSeconds(60), "the lesson joined");
        await first.StopAsync(CancellationToken.None);

        // The agent had copied the file and stopped before it wrote that down.
        var item = queue.Find("mon-p1-20221114-0830")!;
        var there = Path.Combine(server.Root, "lessons", rig.Options.Address.School);
        Directory.CreateDirectory(there);
        File.Copy(item.Mp4!, Path.Combine(there, "mon-p1-20221114-0830.mp4"));
        var written = File.GetLastWriteTimeUtc(Path.Combine(there, "mon-p1-20221114-0830.mp4"));

        rig.Options.Recording.Upload.StartDelayMaxSeconds = 0;
        await UploaderAsync(rig); // the agent again, on the same state database
        await Eventually.True(() => rig.Raised.Any(e => e.Type == EventTypes.RecordingUploaded), TimeSpan.FromSeconds(60), "recording-uploaded");
        Assert.Contains("was already", Assert.Single(rig.Raised, e => e.Type == EventTypes.RecordingUploaded).Detail);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(there, "mon-p1-20221114-0830.mp4"))); // not sent again
        Assert.True(File.Exists(Path.Combine(there, "mon-p1-20221114-0830.json")));
        Assert.Equal(UploadQueue.Uploaded, queue.Find("mon-p1-20221114-0830")!.State);
    }

    /// <summary>SFTP lets a copy go on where it stopped (OpenSSH's <c>reput</c>); nginx's WebDAV takes a file whole, so it is sent again.</summary>
    [Theory]
    [InlineData("sftp")]
    [InlineData("webdav")]
    public async Task A_storage_that_goes_away_halfway_gets_the_file_once_it_is_back_identical_resumed_where_the_protocol_allows(string kind)
    {
        var server = await ServerAsync(kind);
        var rig = RigFor(server, bandwidthKbps: 160); // 20 kB/s: the copy is under way long enough to cut
        var uploader = await UploaderAsync(rig);
        await LessonAsync(rig, 6);
        await Eventually.True(() => uploader.Copying, TimeSpan.FromSeconds(60), "the copy under way");

        if (kind == "sftp") // halfway: a good part of the file is in the partial file the copy writes
        {
            var bytes = new UploadQueue(rig.Database).Find("mon-p1-20221114-0830")!.Bytes!.Value;
            await Eventually.True(() => PartialBytes(server) > bytes / 4, TimeSpan.FromSeconds(60), "a quarter of the file sent");
        }
        server.Kill();
        await Eventually.True(() => rig.Raised.Any(e => e.Type == EventTypes.RecordingUploadFailed), TimeSpan.FromSeconds(60), "recording-upload-failed");
        var cut = PartialBytes(server); // the copy has seen the storage go: what it holds now stays
        var failed = Assert.Single(rig.Raised, e => e.Type == EventTypes.RecordingUploadFailed);
        Assert.Contains("try 1", failed.Detail);
        Assert.Contains("tried again at", failed.Detail);
        Assert.Equal(1, new UploadQueue(rig.Database).Find("mon-p1-20221114-0830")!.Attempts);

        await server.StartAsync();
        try
        {
            await Eventually.True(() => rig.Raised.Any(e => e.Type == EventTypes.RecordingUploaded), TimeSpan.FromSeconds(120), "uploaded once the storage is back");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"not uploaded; events: {Events(rig)}");
        }
        var item = new UploadQueue(rig.Database).Find("mon-p1-20221114-0830")!;
        Assert.Equal(item.Sha256, Sha256(Assert.Single(Directory.GetFiles(server.Root, "mon-p1-20221114-0830.mp4", SearchOption.AllDirectories))));
        Assert.Equal(UploadQueue.Uploaded, item.State);
        Assert.Empty(Directory.GetFiles(server.Root, "*.partial", SearchOption.AllDirectories));
        var uploaded = Assert.Single(rig.Raised, e => e.Type == EventTypes.RecordingUploaded).Detail;
        if (kind == "sftp") Assert.Contains($"resumed at byte {cut} of {item.Bytes}", uploaded); // what was there when it went away was not sent again
        else Assert.DoesNotContain("resumed", uploaded);
    }

    private static long PartialBytes(IStorageServer server) =>
        Directory.GetFiles(server.Root, "*.partial", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
