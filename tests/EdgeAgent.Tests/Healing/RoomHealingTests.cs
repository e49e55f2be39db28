using System.Text.Json.Nodes;
using EdgeAgent.Tests.TestSupport;
using static EdgeAgent.Tests.TestSupport.LessonRig;

namespace EdgeAgent.Tests.Healing;

/// <summary>
/// Playbooks on the room rather than a device (the uplink, the partner's player, the recording volume), each from an
/// office playbook document, with a real lesson stream, a real SRT relay and a real player. The healer looks on the real
/// clock (its one-second look at the room, its waits); the lesson runner's clock is the fake one.
/// </summary>
public sealed class RoomHealingTests : LessonRigTest
{
    public override Task InitializeAsync() => Task.CompletedTask;

    private static JsonArray Monday() => [Booking("mon-p1", "2022-11-14", "1")];

    private static IEnumerable<EventPayload> Heals(LessonRig rig) => rig.Raised.Where(e => e.Type is EventTypes.Heal or EventTypes.HealFailed);

    private static string Events(LessonRig rig) => string.Join(" | ", rig.Raised.Select(e => $"{e.Type}: {e.Detail}"));

    /// <summary>Writes an office document of one playbook next to the rig's recordings and points <c>playbooks.file</c> at it.</summary>
    private static void Office(JsonObject config, string id, string trigger, int? forSeconds, string[] phases, string[] actions, int attempts, int waitSeconds)
    {
        var file = Path.Combine(Path.GetDirectoryName(config["recording"]!["directory"]!.GetValue<string>())!, "playbooks.json");
        var on = new JsonObject { ["on"] = trigger };
        if (forSeconds is { } f) on["forSeconds"] = f;
        File.WriteAllText(file, new JsonObject
        {
            ["schema"] = "edgeagent.playbooks/1", ["id"] = "county", ["version"] = "1",
            ["playbooks"] = new JsonArray(new JsonObject
            {
                ["id"] = id, ["title_zh"] = "测试", ["trigger"] = on,
                ["when"] = new JsonObject { ["phases"] = new JsonArray([.. phases.Select(p => JsonValue.Create(p))]) },
                ["actions"] = new JsonArray([.. actions.Select(a => new JsonObject { ["do"] = a })]),
                ["limits"] = new JsonObject { ["attempts"] = attempts, ["waitSeconds"] = waitSeconds, ["coolDownSeconds"] = 600 },
            }),
        }.ToJsonString());
        config["playbooks"] = new JsonObject { ["file"] = file };
    }

    [Fact]
    public async Task A_recording_volume_below_its_floor_is_told_to_the_office_and_left_to_a_technician_when_it_stays_low()
    {
        var rig = Rig(At("2022-11-14", "07:00"), Monday(), c => Office(c, "disk-notice", "disk-low", 0, ["idle", "prepare", "live"], ["notify"], 1, 0),
            healing: true, healingClock: TimeProvider.System);
        await rig.StartAsync();
        Directory.CreateDirectory(rig.Options.Recording.Directory);
        rig.Options.Recording.MinFreeBytes = long.MaxValue / 2; // no volume has that much free
        rig.Streams.EnforceRetention();
        Assert.True(rig.Streams.DiskLow);

        await Eventually.True(() => rig.Raised.Any(e => e.Type == EventTypes.HealFailed), TimeSpan.FromSeconds(30), "heal-failed");
        var notice = Assert.Single(rig.Raised, e => e.Type == EventTypes.PlaybookNotice);
        Assert.Contains("disk-notice（测试）: disk-low on disk", notice.Detail);
        Assert.Contains("below its", notice.Detail);
        var failed = Assert.Single(rig.Raised, e => e.Type == EventTypes.HealFailed);
        Assert.Equal((HealTriggers.DiskLow, "disk-notice", HealOutcomes.NotHealed), (failed.Heal!.Trigger, failed.Heal.Playbook, failed.Heal.Outcome));
        Assert.Contains("tried: notify", failed.Detail);
        Assert.Null(failed.Device);
        Assert.Contains(rig.Healer!.Recent, h => h is { Device: "disk", Outcome: HealOutcomes.NotHealed });

        // Room again: no longer low, and nothing more is raised while it rests.
        rig.Options.Recording.MinFreeBytes = 1;
        rig.Streams.EnforceRetention();
        Assert.False(rig.Streams.DiskLow);
    }

    [Fact]
    public async Task A_clock_found_unsynchronized_is_told_to_the_office_once_and_a_synchronized_one_clears_it()
    {
        var rig = Rig(At("2022-11-14", "07:00"), Monday(), c => Office(c, "clock-notice", "clock-unsynced", 0, ["idle", "prepare", "live"], ["notify"], 1, 0),
            healing: true, healingClock: TimeProvider.System);
        await rig.StartAsync();
        ComplianceReport Report(string verdict, string evidence) => new(ComplianceReport.SchemaId, Guid.NewGuid().ToString("N"), "zj-test", "test-school", "room-1",
            RoomRole.Main, "p", "1", DateTimeOffset.UtcNow, verdict, 0,
            [new RuleResult("clock-sync", "时钟同步", "clock synchronized", "clock.offset", null, "ms", "≤ 500", verdict, evidence, "tech-guide")], "schedule");
        rig.Compliance.Store(Report(Verdicts.Fail, "timedatectl: NTPSynchronized=no"));

        await Eventually.True(() => rig.Raised.Any(e => e.Type == EventTypes.HealFailed), TimeSpan.FromSeconds(30), "heal-failed");
        var notice = Assert.Single(rig.Raised, e => e.Type == EventTypes.PlaybookNotice);
        Assert.Contains("clock-unsynced on clock: the room's clock is not synchronized", notice.Detail);
        var failed = Assert.Single(rig.Raised, e => e.Type == EventTypes.HealFailed);
        Assert.Equal((HealTriggers.ClockUnsynced, HealOutcomes.NotHealed), (failed.Heal!.Trigger, failed.Heal.Outcome));

        rig.Compliance.Store(Report(Verdicts.Pass, "timedatectl: NTPSynchronized=yes"));
        Assert.False(rig.Compliance.ClockUnsynced);
    }

    [Fact]
    public async Task An_uplink_lost_mid_lesson_steps_the_ladder_down_and_counts_as_healed_when_the_relay_is_back()
    {
        using var relay = new SrtRelay();
        var rig = Rig(At("2022-11-14", "08:20"), Monday(), c =>
        {
            c["stream"]!["uplinkUrl"] = $"srt://127.0.0.1:{relay.PublishPort}?mode=caller";
            Office(c, "weak-uplink", "uplink-lost", 3, ["live"], ["step-down", "notify"], 10, 2);
        }, healing: true, healingClock: TimeProvider.System);
        await rig.StartAsync();
        await rig.AdvanceTo(At("2022-11-14", "08:30"));
        await Eventually.True(() => rig.Streams.Current?.Stats is { State: StreamState.Running, UplinkUp: true }, TimeSpan.FromSeconds(60), "the uplink up");
        Assert.Equal(0, rig.Streams.Current!.Rung);

        relay.Kill();
        await Eventually.True(() => rig.Raised.Any(e => e.Type == EventTypes.PlaybookNotice), TimeSpan.FromSeconds(60), $"the notice; {Events(rig)}");
        // The ladder went down a rung while the link was gone (the playbook's step, or the ladder's own).
        await Eventually.True(() => rig.Streams.Current!.Rung >= 1, TimeSpan.FromSeconds(20), "a lower rung");
        Assert.Contains(rig.Raised, e => e.Type == EventTypes.RungChanged && e.Detail.Contains("moved down", StringComparison.Ordinal));

        relay.Start();
        try
        {
            await Eventually.True(() => Heals(rig).Any(e => e.Heal!.Outcome == HealOutcomes.Healed), TimeSpan.FromSeconds(90), "healed once the relay is back");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"not healed; stream {rig.Streams.Current?.Stats}; events: {Events(rig)}");
        }
        var healed = Heals(rig).Single(e => e.Heal!.Outcome == HealOutcomes.Healed);
        Assert.Equal((HealTriggers.UplinkLost, "weak-uplink"), (healed.Heal!.Trigger, healed.Heal.Playbook));
        Assert.Contains("step-down", healed.Detail);
        Assert.Contains("the uplink to srt://127.0.0.1:", healed.Detail);
        Assert.DoesNotContain(rig.Raised, e => e.Type == EventTypes.HealFailed);

        var record = await rig.EndsAt(At("2022-11-14", "09:05"), 0);
        Assert.Contains(record.Heals!, h => (h.Playbook, h.Device, h.Outcome) == ("weak-uplink", "stream", HealOutcomes.Healed));
    }

    [Fact]
    public async Task A_partner_that_never_comes_gets_its_player_restarted_and_a_notice_then_heal_failed()
    {
        var listen = Machine.FreeUdpPort(); // nobody ever sends here
        var rig = Rig(At("2022-11-14", "08:20"), Monday(), c =>
        {
            c["stream"]!["partnerUrl"] = $"srt://127.0.0.1:{listen}?mode=listener";
            c["playback"] = new JsonObject { ["video"] = "offscreen", ["audioDevice"] = "none", ["partnerWaitSeconds"] = 2 };
            Office(c, "partner-again", "partner-missing", 3, ["live"], ["restart-player", "notify"], 1, 0);
        }, healing: true, healingClock: TimeProvider.System);
        await rig.StartAsync();
        await rig.AdvanceTo(At("2022-11-14", "08:30"));
        await Eventually.True(() => rig.Playback.Current is not null, TimeSpan.FromSeconds(30), "the partner's playback started");
        var restartsBefore = rig.Playback.Current!.Stats.PlayerRestarts;

        await Eventually.True(() => rig.Raised.Any(e => e.Type == EventTypes.HealFailed), TimeSpan.FromSeconds(90), $"heal-failed; {Events(rig)}");
        var failed = Assert.Single(rig.Raised, e => e.Type == EventTypes.HealFailed);
        Assert.Equal((HealTriggers.PartnerMissing, "partner-again"), (failed.Heal!.Trigger, failed.Heal.Playbook));
        Assert.Contains("restart-player (not playing within 20 s), notify", failed.Detail);
        Assert.Contains("nothing from the partner classroom", failed.Detail);
        Assert.True(rig.Playback.Current!.Stats.PlayerRestarts > restartsBefore, "the player was restarted");
        Assert.Single(rig.Raised, e => e.Type == EventTypes.PlaybookNotice);

        var record = await rig.EndsAt(At("2022-11-14", "09:05"), 0);
        Assert.Contains(record.Heals!, h => (h.Playbook, h.Device, h.Outcome) == ("partner-again", "player", HealOutcomes.NotHealed));
    }

    [Fact]
    public async Task A_player_that_gave_up_is_started_again_by_restart_player()
    {
        var listen = Machine.FreeUdpPort(); // the partner does not come: the player waits on the slate
        var rig = Rig(At("2022-11-14", "08:20"), Monday(), c =>
        {
            c["stream"]!["partnerUrl"] = $"srt://127.0.0.1:{listen}?mode=listener";
            c["playback"] = new JsonObject { ["video"] = "offscreen", ["audioDevice"] = "none", ["maxRestarts"] = 0 };
            Office(c, "player-again", "player-stalled", null, ["live"], ["restart-player"], 1, 0);
        }, healing: true, healingClock: TimeProvider.System);
        await rig.StartAsync();
        await rig.AdvanceTo(At("2022-11-14", "08:30"));
        await Eventually.True(() => rig.Playback.Current?.PlayerPid is not null, TimeSpan.FromSeconds(30), "the player running");

        // The player dies; with no restarts allowed the playback gives up on it.
        var pid = rig.Playback.Current!.PlayerPid!.Value;
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        await Eventually.True(() => rig.Raised.Any(e => e.Type == EventTypes.PlayerFailed), TimeSpan.FromSeconds(30), $"the player given up; {Events(rig)}");

        // The playbook starts it again: a new player, the playback no longer failed (it waits for the partner on the slate).
        await Eventually.True(() => rig.Playback.Current!.PlayerPid is { } again && again != pid, TimeSpan.FromSeconds(30), $"a new player; {Events(rig)}");
        Assert.NotEqual(PlaybackState.Failed, rig.Playback.Current!.Stats.State);
        await Eventually.True(() => Heals(rig).Any(), TimeSpan.FromSeconds(40), "the heal event");
        var heal = Heals(rig).First();
        Assert.Equal((HealTriggers.PlayerStalled, "player-again"), (heal.Heal!.Trigger, heal.Heal.Playbook));
        // The trigger was the player giving up: gone once it runs again, though the partner is still missing.
        Assert.Equal(HealOutcomes.Healed, heal.Heal.Outcome);
        Assert.Contains("restart-player", heal.Detail);
    }
}
