using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Json;
using EdgeAgent.Tests.TestSupport;
using EdgeAgent.Updates;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using static EdgeAgent.Tests.TestSupport.LessonRig;

namespace EdgeAgent.Tests.Updates;

/// <summary>
/// The agent's half of an update with a real lesson runner (fake clock) and the room's simulated devices: the request
/// left for the root updater only when the room may update, taken back when a lesson comes first; the ready mark the
/// updater's health gate reads; what the updater did, told once; the status retained on <c>update</c>.
/// </summary>
public sealed class UpdateServiceTests : LessonRigTest
{
    public override Task InitializeAsync() => Task.CompletedTask;

    /// <summary>The rig's room in the canary ring, which wants 0.2.0; the window <paramref name="from"/>–<paramref name="until"/>, margin 60 min, no spread.</summary>
    private static string Policy(string from = "06:00", string until = "23:00", bool halted = false) => RolloutTests.Document(d =>
    {
        d["rings"] = new JsonArray(new JsonObject { ["name"] = "canary", ["rooms"] = new JsonArray("zj-test/lanxi-wuxi-ps/room-1"), ["version"] = "0.2.0", ["halted"] = halted });
        d["window"] = new JsonObject { ["from"] = from, ["until"] = until };
    }).ToJsonString();

    private static (UpdateService Service, UpdatePolicySource Policy, ApplicationLifetime Lifetime) Service(LessonRig rig, string current = "0.1.0")
    {
        var policy = new UpdatePolicySource(rig.Database, rig.Events, rig.Time, NullLogger<UpdatePolicySource>.Instance);
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var service = new UpdateService(rig.Options, policy, rig.Runner, rig.Poller!, rig.Outbox, new EdgeAgent.Contract.Topics.RoomTopics(rig.Options.Address), rig.Events,
            lifetime, rig.Time, NullLogger<UpdateService>.Instance, current);
        Directory.CreateDirectory(service.Directory);
        return (service, policy, lifetime);
    }

    private static string Request(UpdateService s) => Path.Combine(s.Directory, UpdateFiles.Request);

    private static List<UpdateStatus> Retained(LessonRig rig) =>
        rig.Outbox.Peek(10_000).Where(m => m.Topic.EndsWith("/update", StringComparison.Ordinal))
            .Select(m => JsonSerializer.Deserialize(m.Payload, ContractJson.Wire.UpdateStatus)!).ToList();

    [Fact]
    public async Task The_request_is_left_only_outside_lessons_and_their_margin_and_taken_back_when_a_lesson_comes_first()
    {
        var rig = Rig(At("2022-11-14", "07:00"), [Booking("mon-p1", "2022-11-14", "1")], healing: true); // prepared 08:25, starts 08:30
        await rig.StartAsync();
        var (service, policy, _) = Service(rig);

        service.Pass();
        Assert.Equal(("none", "no update policy from the office"), (service.Status!.State, service.Status.Detail));
        Assert.True(policy.Accept(Policy()));
        service.Pass();
        Assert.Equal("requested", service.Status!.State); // 85 min before the lesson is prepared
        var request = UpdateFiles.Read(Request(service));
        Assert.Equal(("0.2.0", "120"), (request["version"], request["health-seconds"]));

        await rig.AdvanceTo(At("2022-11-14", "07:30")); // the updater has not taken it: now the lesson is within the margin
        service.Pass();
        Assert.False(File.Exists(Request(service)));
        Assert.Equal(("waiting", "a lesson is prepared at 2022-11-14 08:25, within 60 min"), (service.Status!.State, service.Status.Detail));

        await rig.StartsStreamingAt(At("2022-11-14", "08:30"));
        service.Pass();
        Assert.Equal(("waiting", "a lesson is live"), (service.Status!.State, service.Status.Detail));
        Assert.False(File.Exists(Request(service)));

        await rig.EndsAt(At("2022-11-14", "09:05"), 0);
        await rig.Idle();
        service.Pass();
        Assert.Equal("requested", service.Status!.State);
        Assert.True(File.Exists(Request(service)));

        Assert.True(policy.Accept(Policy(halted: true))); // the office halts the ring
        service.Pass();
        Assert.Equal(("halted", "ring canary halted by the office: stays at 0.1.0"), (service.Status!.State, service.Status.Detail));
        Assert.False(File.Exists(Request(service)));

        Assert.True(policy.Accept(Policy(from: "22:00", until: "05:00")));
        service.Pass();
        Assert.Equal("outside the window 22:00–05:00 (school time)", service.Status!.Detail);
        Assert.False(File.Exists(Request(service)));

        var retained = Retained(rig);
        Assert.Equal(["none", "requested", "waiting", "waiting", "requested", "halted", "waiting"], retained.Select(s => s.State));
        Assert.All(retained, s => Assert.Equal(("0.1.0", "edgeagent.update/1"), (s.Current, s.Schema)));
    }

    [Fact]
    public async Task A_request_the_updater_took_is_not_left_again_while_it_works_and_a_stale_one_is_taken_back()
    {
        var rig = Rig(At("2022-11-14", "12:00"), [], healing: true);
        await rig.StartAsync();
        var (service, policy, _) = Service(rig);
        Assert.True(policy.Accept(Policy()));
        service.Pass();
        Assert.True(File.Exists(Request(service)));

        File.Delete(Request(service)); // the updater takes it and starts installing; this agent still runs a while
        service.Pass();
        await rig.AdvanceTo(At("2022-11-14", "12:10"));
        service.Pass();
        Assert.False(File.Exists(Request(service)));
        Assert.Equal("requested", service.Status!.State);
        Assert.StartsWith("the updater took the request for 0.2.0", service.Status.Detail, StringComparison.Ordinal);

        await rig.AdvanceTo(At("2022-11-14", "12:31")); // no result in half an hour: the updater died; ask again
        service.Pass();
        Assert.True(File.Exists(Request(service)));

        // A new run of the agent that must not update (the ring halted) finds a request an earlier run left: taken back.
        var (restarted, restartedPolicy, _) = Service(rig);
        Assert.True(restartedPolicy.Accept(Policy(halted: true)));
        restarted.Pass();
        Assert.False(File.Exists(Request(restarted)));
    }

    [Fact]
    public async Task A_policy_with_mistakes_is_rejected_with_an_event_and_the_one_in_force_stays_across_a_restart()
    {
        var rig = Rig(At("2022-11-14", "07:00"), [], healing: true);
        var (_, policy, _) = Service(rig);
        Assert.True(policy.Accept(Policy()));
        Assert.False(policy.Accept("""{ "schema": "edgeagent.update-policy/1", "id": "x", "rings": [], "window": { "from": "22:00", "until": "22:00" } }"""));
        var rejected = Assert.Single(rig.Raised, e => e.Type == EventTypes.UpdatePolicyRejected);
        Assert.Contains("update.rings: needs at least one ring", rejected.Detail);
        Assert.Contains("2026-12-rollout stays in force", rejected.Detail);
        var (_, again, _) = Service(rig); // the agent after an install: the policy before the broker hands it again
        Assert.Equal("2026-12-rollout", again.Current!.Id);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task What_the_updater_did_is_told_once_and_a_version_rolled_back_is_not_asked_for_again()
    {
        var rig = Rig(At("2022-11-14", "07:00"), [], healing: true);
        await rig.StartAsync();
        var result = rig.Options.Update.ResultFile = Path.Combine(rig.Dir, "updater", "result");
        Directory.CreateDirectory(Path.GetDirectoryName(result)!);
        UpdateFiles.Write(result, [("outcome", "rolled-back"), ("version", "0.2.0"), ("previous", "0.1.0"), ("at", "2022-11-13T23:02:00Z"),
            ("reason", "the new agent was not ready within 120s (no ready mark)")]);
        var (service, policy, _) = Service(rig);
        policy.Accept(Policy());
        service.Pass();
        var failed = Assert.Single(rig.Raised, e => e.Type == EventTypes.UpdateFailed);
        Assert.Equal("update to 0.2.0 rolled-back to 0.1.0: the new agent was not ready within 120s (no ready mark)", failed.Detail);
        Assert.Equal(("failed", "rolled-back"), (service.Status!.State, service.Status.Last!.Outcome));
        Assert.False(File.Exists(Request(service)));

        var (restarted, policy2, _) = Service(rig); // the same result read again by the next agent: not told twice
        policy2.Accept(Policy());
        restarted.Pass();
        Assert.Single(rig.Raised, e => e.Type == EventTypes.UpdateFailed);

        UpdateFiles.Write(result, [("outcome", "installed"), ("version", "0.2.0"), ("previous", "0.1.0"), ("at", "2022-11-14T23:05:00Z"), ("reason", "ready in 4s")]);
        var (updated, policy3, _) = Service(rig, current: "0.2.0");
        policy3.Accept(Policy());
        updated.Pass();
        Assert.Equal("updated from 0.1.0 to 0.2.0; the new agent was healthy in time", Assert.Single(rig.Raised, e => e.Type == EventTypes.UpdateInstalled).Detail);
        Assert.Equal(("current", "0.2.0"), (updated.Status!.State, updated.Status.Current));
    }

    [Fact]
    public async Task The_ready_mark_names_the_version_and_the_devices_online_when_the_agent_is_ready_and_when_they_change()
    {
        var rig = Rig(At("2022-11-14", "07:00"), [], healing: true);
        var (service, _, lifetime) = Service(rig);
        await rig.Poller!.PollAllNowAsync(CancellationToken.None);
        lifetime.NotifyStarted();
        var ready = UpdateFiles.Read(Path.Combine(service.Directory, UpdateFiles.Ready));
        Assert.Equal("0.1.0", ready["version"]);
        var online = rig.Options.Devices.Select(d => d.Id).Order(StringComparer.Ordinal);
        Assert.Equal(string.Join(' ', online), ready["online"]);

        await Room.Display.DisposeAsync(); // the display goes away: the mark follows
        await Eventually.True(async () => (await rig.Poller.PollAllNowAsync(CancellationToken.None)).Length > 0
            && UpdateFiles.Read(Path.Combine(service.Directory, UpdateFiles.Ready))["online"] == "cam1 cam2 mic1", TimeSpan.FromSeconds(30), "the display gone from the mark");
    }
}
