using System.Text.Json.Nodes;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Updates;

namespace EdgeAgent.Tests.Updates;

/// <summary>The office's rollout policy read whole, and the rules that keep an update out of school hours, on fixed instants.</summary>
public class RolloutTests
{
    private static readonly RoomAddress Room = new("zj-jinhua", "lanxi-wuxi-ps", "room-301");

    public static JsonObject Document(Action<JsonObject>? edit = null)
    {
        var d = new JsonObject
        {
            ["schema"] = "edgeagent.update-policy/1", ["id"] = "2026-12-rollout",
            ["rings"] = new JsonArray(
                new JsonObject { ["name"] = "canary", ["rooms"] = new JsonArray("zj-jinhua/lanxi-wuxi-ps/room-301"), ["version"] = "1.4.1" },
                new JsonObject { ["name"] = "all", ["version"] = "1.4.0" }),
            ["window"] = new JsonObject { ["from"] = "22:00", ["until"] = "05:00", ["weekends"] = true },
            ["lessonMarginMinutes"] = 60, ["spreadMinutes"] = 0, ["healthSeconds"] = 120,
        };
        edit?.Invoke(d);
        return d;
    }

    private static UpdatePolicy Policy(Action<JsonObject>? edit = null) =>
        UpdatePolicy.Parse(Document(edit).ToJsonString(), out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));

    private static DateTimeOffset School(string when) => DateTimeOffset.Parse(when + "+08:00", System.Globalization.CultureInfo.InvariantCulture);

    private static RolloutStep At(string when, UpdatePolicy? policy = null, string phase = "idle", DateTimeOffset? nextLesson = null, string current = "1.4.0",
        UpdateResult? last = null, string? ring = null) =>
        Rollout.Decide(policy ?? Policy(), Room, ring, current, last, School(when), phase, nextLesson);

    [Fact]
    public void A_policy_with_mistakes_is_refused_naming_each_of_them()
    {
        var policy = UpdatePolicy.Parse(Document(d =>
        {
            d["rings"]!.AsArray().Add(new JsonObject { ["name"] = "pilot", ["version"] = "1.4; rm -rf /", ["share"] = 150, ["colour"] = "red" });
            d["rings"]!.AsArray().Add(new JsonObject { ["name"] = "canary", ["version"] = "1.5.0" });
            d["window"]!["until"] = "25:00";
            d["healthSeconds"] = 5;
        }).ToJsonString(), out var errors);
        Assert.Null(policy);
        Assert.Contains(errors, e => e.StartsWith("update.rings[2].version", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("update.rings[2].share", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("colour", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("update.rings[3].name", StringComparison.Ordinal) && e.Contains("twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("update.window.until", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("update.healthSeconds", StringComparison.Ordinal));
        Assert.Null(UpdatePolicy.Parse("{ not json", out var broken));
        Assert.Single(broken);
    }

    [Fact]
    public void A_room_takes_the_ring_that_names_it_the_ring_its_config_names_or_the_share_its_address_falls_in()
    {
        Assert.Equal("canary", Policy().RingOf(Room, null)!.Name);
        Assert.Equal("all", Policy().RingOf(new RoomAddress("zj-jinhua", "lanxi-wuxi-ps", "room-302"), null)!.Name);
        Assert.Equal("all", Policy().RingOf(Room, "all")!.Name);
        Assert.Null(Policy().RingOf(Room, "pilot"));
        var bucket = UpdatePolicy.Bucket(Room);
        JsonObject Pilot(int share) => new() { ["name"] = "pilot", ["region"] = "zj-jinhua", ["share"] = share, ["version"] = "1.4.1" };
        Assert.Equal("pilot", Policy(d => d["rings"] = new JsonArray(Pilot(bucket + 1))).RingOf(Room, null)!.Name);
        if (bucket > 0) Assert.Null(Policy(d => d["rings"] = new JsonArray(Pilot(bucket))).RingOf(Room, null));
        Assert.Null(Policy(d => d["rings"] = new JsonArray(new JsonObject { ["name"] = "pilot", ["region"] = "zj-hangzhou", ["version"] = "1.4.1" })).RingOf(Room, null));
        Assert.Equal(bucket, UpdatePolicy.Bucket(new RoomAddress("zj-jinhua", "lanxi-wuxi-ps", "room-301"))); // stable
    }

    [Fact]
    public void Only_inside_the_window_in_school_time_across_midnight_and_on_weekends()
    {
        Assert.True(At("2026-12-07T23:10:00").Go); // Monday night
        Assert.True(At("2026-12-08T04:59:00").Go); // Tuesday before five
        var morning = At("2026-12-08T05:00:00");
        Assert.False(morning.Go);
        Assert.Equal(("waiting", "outside the window 22:00–05:00 and weekends (school time)"), (morning.State, morning.Detail));
        Assert.False(At("2026-12-08T14:00:00").Go);
        Assert.True(At("2026-12-12T14:00:00").Go); // Saturday afternoon
        Assert.False(At("2026-12-12T14:00:00", Policy(d => d["window"]!["weekends"] = false)).Go);
        Assert.True(At("2026-12-08T14:00:00", Policy(d => d["window"] = new JsonObject { ["from"] = "12:00", ["until"] = "14:30" })).Go);
    }

    [Fact]
    public void Never_with_a_lesson_live_or_prepared_or_due_within_the_margin()
    {
        Assert.Equal(("waiting", "a lesson is live"), (At("2026-12-07T23:10:00", phase: "live").State, At("2026-12-07T23:10:00", phase: "live").Detail));
        Assert.False(At("2026-12-07T23:10:00", phase: "prepare").Go);
        var due = At("2026-12-07T23:10:00", nextLesson: School("2026-12-08T00:00:00"));
        Assert.False(due.Go);
        Assert.Equal("a lesson is prepared at 2026-12-08 00:00, within 60 min", due.Detail);
        Assert.True(At("2026-12-07T23:10:00", nextLesson: School("2026-12-08T00:10:00")).Go);
        Assert.True(At("2026-12-07T23:10:00", Policy(d => d["lessonMarginMinutes"] = 30), nextLesson: School("2026-12-08T00:00:00")).Go);
    }

    [Fact]
    public void A_room_at_its_target_a_halted_ring_and_a_version_that_failed_stay_where_they_are()
    {
        Assert.Equal(("current", false), (At("2026-12-07T23:10:00", current: "1.4.1").State, At("2026-12-07T23:10:00", current: "1.4.1").Go));
        var halted = At("2026-12-07T23:10:00", Policy(d => d["rings"]![0]!["halted"] = true));
        Assert.Equal(("halted", false), (halted.State, halted.Go));
        Assert.Equal("ring canary halted by the office: stays at 1.4.0", halted.Detail);
        var failed = At("2026-12-07T23:10:00", last: new("rolled-back", "1.4.1", "1.4.0", "2026-12-06T15:00:00Z", "the new agent was not ready within 120s"));
        Assert.Equal(("failed", false), (failed.State, failed.Go));
        Assert.Contains("not tried again until the office names another version", failed.Detail);
        Assert.True(At("2026-12-07T23:10:00", last: new("rolled-back", "1.4.0", "1.3.9", "2026-12-06T15:00:00Z", "an older try")).Go);
        Assert.Equal(("none", false), (At("2026-12-07T23:10:00", ring: "pilot").State, At("2026-12-07T23:10:00", ring: "pilot").Go));
        Assert.Equal("none", Rollout.Decide(null, Room, null, "1.4.0", null, School("2026-12-07T23:10:00"), "idle", null).State);
    }
}
