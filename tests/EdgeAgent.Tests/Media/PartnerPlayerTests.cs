using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Media.Link;
using EdgeAgent.Media.Play;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Media;

/// <summary>
/// The partner's player with real parts: a partner sending over SRT (the agent's encoder plan, srt-live-transmit
/// listening), this room's receiver (srt-live-transmit) and mpv. What is checked is how near live the picture is kept:
/// the start-up buffer shed at 1.1× and then normal speed, and every frame's latency taken as mpv shows it.
/// </summary>
[Collection(HeavyMedia.Name)]
public sealed class PartnerPlayerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_partner_picture_first_sheds_the_start_up_buffer_then_plays_at_normal_speed_with_every_frame_measured()
    {
        var stream = new StreamOptions
        {
            VideoSource = VideoSource.Test, AudioSource = AudioSource.Test, Width = 320, Height = 180, Fps = 25, VideoBitrateKbps = 300, AudioBitrateKbps = 64,
            GopSeconds = 1,
        };
        var rec = _dir.File("rec");
        Directory.CreateDirectory(rec);
        var feedPort = Machine.FreeUdpPort();
        var srtPort = Machine.FreeUdpPort();

        var players = _dir.File("player");
        Directory.CreateDirectory(players);
        var options = new PlaybackOptions { Video = PlaybackVideo.Offscreen, AudioDevice = "none" };
        var partner = MediaEndpoint.TryParse($"srt://127.0.0.1:{srtPort}?mode=caller", out _)!;
        var plan = PlayerPipeline.Plan(options, partner, players, "lesson-1", Machine.FreeUdpPort());
        await using var player = new PartnerPlayer("lesson-1", "school-b/room-2", plan, options, DateTimeOffset.UtcNow, TimeProvider.System,
            NullLogger.Instance, _ => { });
        player.Start();

        // A second client on the player's socket sees every speed the agent sets.
        var speeds = new List<double>();
        await Eventually.True(() => player.Ipc is not null, TimeSpan.FromSeconds(30), "the player's IPC");
        await using var watcher = await MpvIpc.ConnectAsync(plan.IpcPath, TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        await watcher.ObserveAsync("speed", v => { if (v is JsonValue s && s.TryGetValue<double>(out var x)) lock (speeds) speeds.Add(x); }, TimeSpan.FromSeconds(5), CancellationToken.None);

        // The partner starts sending only now, so nothing the player does with it can pass unseen.
        var sending = EncoderPipeline.Plan(stream, new RecordingOptions { Directory = rec, SegmentSeconds = 2 }, "partner-1", [new(0, 320, 180, 300, 64)], [feedPort], null,
            EncoderChoice.Libx264);
        await using var encoder = await FfmpegRun.StartAsync("encoder", sending.EncoderArgs, TimeProvider.System);
        await using var sender = await SrtTransmitRun.StartAsync("sender",
            SrtTransmitRun.Args($"udp://127.0.0.1:{feedPort}", $"srt://127.0.0.1:{srtPort}?mode=listener&latency=120", 10), TimeProvider.System);

        await Eventually.True(() => player.Stats.State == PlaybackState.Playing, TimeSpan.FromSeconds(60), "the partner on screen");
        await Eventually.True(() => { lock (speeds) return speeds.Contains(1.1); }, TimeSpan.FromSeconds(10), "the start-up buffer shed at 1.1×");
        await Eventually.True(() => { lock (speeds) return speeds[^1] == 1 && speeds.IndexOf(1.1) < speeds.Count - 1; }, TimeSpan.FromSeconds(20),
            "normal speed once the start-up buffer is shed");
        await Eventually.True(() => player.Stats.SecondsPlayed >= 6, TimeSpan.FromSeconds(60), "6 s of the partner played");

        // Each frame mpv shows is a sample (25 a second, fewer only if mpv drops some), not 4 polls a second.
        var stats = player.Stats;
        Assert.True(stats.LatencySamplesMs.Count > 10 * stats.SecondsPlayed, $"{stats.LatencySamplesMs.Count} samples in {stats.SecondsPlayed} s played");
        // Every frame came through SRT's 120 ms latency, and none is from the future of this clock.
        var median = stats.LatencySamplesMs.Order().ElementAt(stats.LatencySamplesMs.Count / 2);
        Assert.InRange(median, 120, 5000);
        lock (speeds) Assert.Equal(1, speeds[^1]);
    }
}
