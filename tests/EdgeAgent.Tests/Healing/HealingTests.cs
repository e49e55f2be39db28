using System.Text.Json.Nodes;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Media.Send;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Simulators.Rtsp;
using EdgeAgent.Tests.TestSupport;
using static EdgeAgent.Tests.TestSupport.LessonRig;

namespace EdgeAgent.Tests.Healing;

/// <summary>
/// The default playbooks on the lesson runner's fake clock, against the simulated classroom over its protocols (faults
/// from outside, cam1's mains on a simulated GPIO relay), with a real lesson stream. Devices are polled every 10 s.
/// </summary>
public sealed class HealingTests : LessonRigTest
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);

    public override Task InitializeAsync()
    {
        Room.Camera1.StorePreset(1, 100, 20, 0x1000);
        Room.Camera1.StorePreset(3, -200, 10, 0);
        Room.Camera2.StorePreset(1, 50, 0, 0);
        return Task.CompletedTask;
    }

    private static JsonArray Monday() => [Booking("mon-p1", "2022-11-14", "1")];

    /// <summary>A rig ten minutes into Monday's lesson (08:30–09:05 shared), streaming, with the playbooks on.</summary>
    private async Task<LessonRig> LiveAsync()
    {
        var rig = Rig(At("2022-11-14", "08:20"), Monday(), healing: true);
        await rig.StartAsync();
        await rig.StartsStreamingAt(At("2022-11-14", "08:30"));
        await rig.AdvanceTo(At("2022-11-14", "08:40"));
        // The display was prepared: settle the polls so that every device has been seen as the lesson wants it.
        await rig.HealUntil(() => rig.Poller!.Snapshot.All(h => h.State == Hardware.Health.DeviceState.Online), TimeSpan.FromSeconds(30), "every device online");
        return rig;
    }

    private static IEnumerable<EventPayload> Heals(LessonRig rig, string? device = null) =>
        rig.Raised.Where(e => e.Type is EventTypes.Heal or EventTypes.HealFailed && (device is null || e.Device == device));

    [Fact]
    public async Task A_display_switched_off_mid_lesson_is_back_on_the_lesson_input_within_two_poll_intervals_and_the_record_counts_it()
    {
        var rig = await LiveAsync();
        Room.Display.PressRemote(input: "11");
        Room.Display.ForcePower(false);
        var took = await rig.HealUntil(() => rig.DisplayOn && Room.Display.Input == "31", 2 * PollInterval, "the display back on the lesson input");
        Assert.True(took <= 2 * PollInterval);

        await Eventually.True(() => Heals(rig, "display1").Any(), TimeSpan.FromSeconds(10), "the heal event");
        var heal = Assert.Single(Heals(rig, "display1"));
        Assert.Equal(EventTypes.Heal, heal.Type);
        Assert.Equal(HealOutcomes.Healed, heal.Heal!.Outcome);
        Assert.Equal(HealTriggers.DisplayOff, heal.Heal.Trigger);
        Assert.Equal(1, heal.Heal.Attempt);
        Assert.True(heal.Heal.RecoverSeconds <= PollInterval.TotalSeconds, $"healed {heal.Heal.RecoverSeconds} s after it was seen");

        var record = await rig.EndsAt(At("2022-11-14", "09:05"), 0);
        var counted = Assert.Single(record.Heals!);
        Assert.Equal("display-back-on", counted.Playbook);
        Assert.Equal(HealOutcomes.Healed, counted.Outcome);
        Assert.Equal("display1", counted.Device);
        // Healed about 08:40: some 25 minutes of the lesson the room would otherwise have spent with a dark display.
        Assert.InRange(counted.SecondsSaved, 24 * 60, 25 * 60);
        Assert.True(counted.SecondsLost <= PollInterval.TotalSeconds);
    }

    [Fact]
    public async Task Microphones_muted_from_outside_are_unmuted_and_the_lessons_own_mute_at_its_end_is_left_alone()
    {
        var rig = await LiveAsync();
        await Room.Mic.PressMuteButtonAsync(true);
        await rig.HealUntil(() => !Room.Mic.Muted, 2 * PollInterval, "the microphones live again");
        await Eventually.True(() => Heals(rig, "mic1").Any(), TimeSpan.FromSeconds(10), "the heal event");
        Assert.Equal(HealTriggers.MicsMuted, Assert.Single(Heals(rig, "mic1")).Heal!.Trigger);

        var record = await rig.EndsAt(At("2022-11-14", "09:05"), 0);
        Assert.Single(record.Heals!, h => h.Device == "mic1" && h.Outcome == HealOutcomes.Healed);
        Assert.True(Room.Mic.Muted);
        // Three poll intervals after the end: still muted, and nothing tried.
        var end = rig.Time.GetUtcNow();
        await rig.HealUntil(() => rig.Time.GetUtcNow() - end >= 3 * PollInterval, 4 * PollInterval, "three poll intervals");
        Assert.True(Room.Mic.Muted);
        Assert.Single(Heals(rig, "mic1"));
    }

    [Fact]
    public async Task A_camera_that_stops_answering_is_power_cycled_through_its_relay_and_sent_back_to_its_preset()
    {
        var rig = await LiveAsync();
        Assert.Equal(1, Room.Camera1.LastRecalledPreset);
        Room.Camera1.Faults.Set(Fault.NoReply); // hung: only the mains bring it back
        var took = await rig.HealUntil(() => Room.Camera1.PowerCycles == 1 && Room.Camera1.LastRecalledPreset == 1, TimeSpan.FromMinutes(2),
            "cam1 power-cycled and back on its preset");

        // The relay (active low) went off (high) and on (low) again, and the camera answers.
        var writes = rig.Gpio.Writes.Where(w => w.Pin == Camera1MainsPin).Select(w => w.Value).ToList();
        Assert.Equal([System.Device.Gpio.PinValue.Low, System.Device.Gpio.PinValue.High, System.Device.Gpio.PinValue.Low], writes);
        await Eventually.True(() => Heals(rig, "cam1").Any(), TimeSpan.FromSeconds(10), "the heal event");
        var heal = Assert.Single(Heals(rig, "cam1"));
        Assert.Equal(HealOutcomes.Healed, heal.Heal!.Outcome);
        Assert.Equal([HealActions.Repoll, HealActions.PowerCycle, HealActions.ResendDesired], heal.Heal.Actions);
        Assert.Contains("answered", heal.Detail);
        // Seen at the next poll, mains off 5 s, booted: well within the two minutes, and longer than the mains were off.
        Assert.InRange(heal.Heal.RecoverSeconds!.Value, 5, took.TotalSeconds);
    }

    [Fact]
    public async Task Microphones_that_keep_being_muted_are_healed_up_to_the_attempt_limit_then_heal_failed_names_what_was_tried()
    {
        var rig = await LiveAsync();
        // mics-live: at most 3 attempts within 10 minutes.
        for (var i = 1; i <= 3; i++)
        {
            await Room.Mic.PressMuteButtonAsync(true);
            await rig.HealUntil(() => !Room.Mic.Muted, 2 * PollInterval, $"the microphones live again ({i})");
        }
        await Room.Mic.PressMuteButtonAsync(true);
        await rig.HealUntil(() => rig.Raised.Any(e => e.Type == EventTypes.HealFailed), 2 * PollInterval, "heal-failed");
        var failed = Assert.Single(rig.Raised, e => e.Type == EventTypes.HealFailed);
        Assert.Equal("mic1", failed.Device);
        Assert.Contains("mics-live", failed.Detail);
        Assert.Contains("3 attempt(s)", failed.Detail);
        Assert.Contains("resend-desired", failed.Detail);
        Assert.Equal(3, Heals(rig, "mic1").Count(e => e.Type == EventTypes.Heal && e.Heal!.Outcome == HealOutcomes.Healed));

        // Left alone: muted through three more polls, no more attempts.
        var from = rig.Time.GetUtcNow();
        await rig.HealUntil(() => rig.Time.GetUtcNow() - from >= 3 * PollInterval, 4 * PollInterval, "three poll intervals");
        Assert.True(Room.Mic.Muted);
        Assert.Equal(4, Heals(rig, "mic1").Count());
    }

    [Fact]
    public async Task A_network_camera_that_dies_mid_lesson_is_replaced_by_the_backup_source_and_the_recording_goes_on_across_the_switch()
    {
        using var camera = await RtspCameraSimulator.StartAsync();
        var rig = Rig(At("2022-11-14", "08:20"), Monday(), c =>
        {
            var stream = c["stream"]!.AsObject();
            stream["videoSource"] = "rtsp";
            stream["videoInput"] = camera.Url;
            stream["backupVideoSource"] = "test";
            stream["testPattern"] = "rgbtestsrc"; // the backup's picture, unlike the camera's bars
            stream["stallSeconds"] = 4;
            stream["maxRestarts"] = 5;
            c["recording"]!["segmentSeconds"] = 2;
        }, healing: true, healingClock: TimeProvider.System);
        await rig.StartAsync();
        await rig.AdvanceTo(At("2022-11-14", "08:30"));
        await Eventually.True(() => rig.Runner.IsStreaming && rig.Streams.Current!.Stats.StreamedSeconds >= 4, TimeSpan.FromSeconds(60), "the camera's picture streaming");
        Assert.False(rig.Streams.OnBackupVideo, string.Join(" | ", rig.Raised.Select(e => $"{e.Type}: {e.Detail}")));

        camera.Kill();
        try
        {
            await Eventually.True(() => rig.Streams.OnBackupVideo && rig.Streams.Current!.Stats is { State: StreamState.Running, DownForSeconds: null },
                TimeSpan.FromSeconds(90), "the lesson streaming from the backup");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"not on the backup; stream {rig.Streams.Current?.Stats}; events: {string.Join(" | ", rig.Raised.Select(e => $"{e.Type}: {e.Detail}"))}");
        }
        await Eventually.True(() => Heals(rig).Any(), TimeSpan.FromSeconds(30), "the heal event");
        var heal = Assert.Single(Heals(rig));
        Assert.Equal((HealTriggers.StreamDown, "video-backup", HealOutcomes.Healed), (heal.Heal!.Trigger, heal.Heal.Playbook, heal.Heal.Outcome));
        Assert.Contains("on the backup video source (test)", heal.Detail);
        // The camera's end was seen as a stall of the picture (the test sound went on), not waited out.
        Assert.Contains(rig.Raised, e => e.Type == EventTypes.StreamStalled);

        // One recording, before and after the switch: the first segments show the camera's bars, the latest the backup's.
        var switchedAt = DateTime.UtcNow;
        string[] Segments() => [.. Directory.GetFiles(rig.Options.Recording.Directory, "mon-p1-*.ts").Order(StringComparer.Ordinal)];
        await Eventually.True(() => Segments().Count(f => File.GetLastWriteTimeUtc(f) > switchedAt.AddSeconds(2)) >= 2, TimeSpan.FromSeconds(60), "segments from the backup");
        var segments = Segments();
        var backupPicture = await Pictures.OfPatternAsync("rgbtestsrc=size=1280x720");
        var first = await Pictures.OfFileAsync(segments[0]);
        var latest = await Pictures.OfFileAsync(segments[^2]); // the newest but one: written to its end
        Assert.True(Pictures.Difference(first, backupPicture) > 20, $"the first segment shows the camera (difference {Pictures.Difference(first, backupPicture):0.0})");
        Assert.True(Pictures.Difference(latest, backupPicture) < 10, $"the latest segment shows the backup (difference {Pictures.Difference(latest, backupPicture):0.0})");

        var record = await rig.EndsAt(At("2022-11-14", "09:05"), 0);
        var counted = Assert.Single(record.Heals!);
        Assert.Equal(("video-backup", "stream", HealOutcomes.Healed), (counted.Playbook, counted.Device!, counted.Outcome));
        Assert.True(record.Stream.SecondsStreamed > 8, $"streamed {record.Stream.SecondsStreamed} s across the switch");
    }

    [Fact]
    public async Task An_office_playbook_restarts_a_stream_that_gave_up_once_its_camera_is_back_and_the_lesson_streams_again()
    {
        using var camera = await RtspCameraSimulator.StartAsync();
        var rig = Rig(At("2022-11-14", "08:20"), Monday(), c =>
        {
            var stream = c["stream"]!.AsObject();
            stream["videoSource"] = "rtsp";
            stream["videoInput"] = camera.Url;
            stream["stallSeconds"] = 4;
            // The office's own playbook: no backup camera in this room, restart the stream and try again.
            var file = Path.Combine(Path.GetDirectoryName(c["recording"]!["directory"]!.GetValue<string>())!, "playbooks.json");
            File.WriteAllText(file, new JsonObject
            {
                ["schema"] = "edgeagent.playbooks/1", ["id"] = "county", ["version"] = "1",
                ["playbooks"] = new JsonArray(new JsonObject
                {
                    ["id"] = "stream-again", ["trigger"] = new JsonObject { ["on"] = "stream-down", ["forSeconds"] = 5 },
                    ["when"] = new JsonObject { ["phases"] = new JsonArray("live") },
                    ["actions"] = new JsonArray(new JsonObject { ["do"] = "restart-stream" }),
                    ["limits"] = new JsonObject { ["attempts"] = 5, ["waitSeconds"] = 3, ["coolDownSeconds"] = 600 },
                }),
            }.ToJsonString());
            c["playbooks"] = new JsonObject { ["file"] = file };
        }, healing: true, healingClock: TimeProvider.System);
        await rig.StartAsync();
        await rig.AdvanceTo(At("2022-11-14", "08:30"));
        await Eventually.True(() => rig.Runner.IsStreaming && rig.Streams.Current!.Stats.StreamedSeconds >= 2, TimeSpan.FromSeconds(60), "the camera's picture streaming");

        // The camera loses its power; the stream gives up on it (one restart allowed in the rig) before it is back.
        camera.Kill();
        await Eventually.True(() => rig.Streams.Current!.Stats.State == StreamState.Failed, TimeSpan.FromSeconds(60), "the stream giving up");
        var before = rig.Streams.Current!.Stats.StreamedSeconds;
        await camera.StartAsync();
        try
        {
            await Eventually.True(() => rig.Streams.Current!.Stats is { State: StreamState.Running } s && s.StreamedSeconds >= before + 2,
                TimeSpan.FromSeconds(120), "the lesson streaming again");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"not streaming; stream {rig.Streams.Current?.Stats}; events: {string.Join(" | ", rig.Raised.Select(e => $"{e.Type}: {e.Detail}"))}");
        }
        await Eventually.True(() => Heals(rig).Any(e => e.Heal!.Outcome == HealOutcomes.Healed), TimeSpan.FromSeconds(30), "the heal event");
        var heal = Heals(rig).Single(e => e.Heal!.Outcome == HealOutcomes.Healed);
        Assert.Equal(("stream-again", HealTriggers.StreamDown), (heal.Heal!.Playbook, heal.Heal.Trigger));
        Assert.Contains("restart-stream, started again after it gave up", heal.Detail);
        Assert.Contains(rig.Raised, e => e.Type == EventTypes.StreamFailed);
        Assert.False(rig.Streams.OnBackupVideo);

        var record = await rig.EndsAt(At("2022-11-14", "09:05"), 0);
        Assert.Contains(record.Heals!, h => (h.Playbook, h.Outcome) == ("stream-again", HealOutcomes.Healed));
        Assert.True(record.Stream.SecondsStreamed >= before + 2, $"streamed {record.Stream.SecondsStreamed} s, {before} s of it before the camera went");
    }

    [Fact]
    public async Task A_lesson_whose_camera_gives_no_picture_goes_on_from_the_backup_source_and_records_it()
    {
        var rig = Rig(At("2022-11-14", "08:20"), Monday(), c =>
        {
            var stream = c["stream"]!.AsObject();
            stream["videoSource"] = "v4l2";
            stream["videoInput"] = "/dev/video63"; // the room's camera, unplugged: no such device
            stream["backupVideoSource"] = "test";
            stream["maxRestarts"] = 5;
        }, healing: true, healingClock: TimeProvider.System); // the healer looks at the stream on the stream's (real) clock
        await rig.StartAsync();
        await rig.AdvanceTo(At("2022-11-14", "08:30"));
        try
        {
            await Eventually.True(() => rig.Runner.IsStreaming, TimeSpan.FromSeconds(90), "the lesson streaming from the backup");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"not streaming; stream {rig.Streams.Current?.Stats}; events: {string.Join(" | ", rig.Raised.Select(e => $"{e.Type}: {e.Detail}"))}");
        }
        Assert.True(rig.Streams.OnBackupVideo);
        await Eventually.True(() => Heals(rig).Any(), TimeSpan.FromSeconds(30), "the heal event");
        var heal = Assert.Single(Heals(rig));
        Assert.Equal((HealTriggers.StreamDown, "video-backup", HealOutcomes.Healed), (heal.Heal!.Trigger, heal.Heal.Playbook, heal.Heal.Outcome));
        Assert.Null(heal.Device);
        Assert.Contains("on the backup video source (test)", heal.Detail);
        Assert.Contains("sending again", heal.Detail); // within the 20 s a switched stream gets
        Assert.Contains("video63", heal.Detail); // what was wrong: the encoder's own error

        // The lesson is recorded from the backup.
        await Eventually.True(() => rig.Streams.Current!.Stats.StreamedSeconds >= 3
            && Directory.GetFiles(rig.Options.Recording.Directory, "mon-p1-*.ts").Any(f => new FileInfo(f).Length > 0), TimeSpan.FromSeconds(60), "segments from the backup");
        var record = await rig.EndsAt(At("2022-11-14", "09:05"), 0);
        var counted = Assert.Single(record.Heals!);
        Assert.Equal(("video-backup", "stream", HealOutcomes.Healed), (counted.Playbook, counted.Device!, counted.Outcome));
        Assert.True(record.Stream.SecondsStreamed > 0);
    }
}
