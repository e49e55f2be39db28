using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Json;
using EdgeAgent.Ctl;
using EdgeAgent.Tests.TestSupport;
using EdgeAgent.Tests.Updates;

namespace EdgeAgent.Tests.Ctl;

/// <summary>The office's view of a rollout and its halt, through a real mosquitto holding rooms' retained policies and statuses.</summary>
public sealed class UpdateCommandTests : BrokerTest
{
    private const string Room2 = "edu/zj-test/test-school/room-2/edgeagent";
    private const string Elsewhere = "edu/zj-test/other-school/room-1/edgeagent";

    private async Task<(int Code, string Out)> Ctl(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await CtlCli.InvokeAsync([.. args, "--broker", $"127.0.0.1:{Broker.Port}"], output, error);
        return (code, output + error.ToString());
    }

    private static byte[] Status(string current, string target, string state, string detail) => JsonSerializer.SerializeToUtf8Bytes(
        new UpdateStatus(UpdateStatus.SchemaId, current, target, "canary", state, detail, null, "2026-12-07T23:00:00+08:00"), ContractJson.Wire.UpdateStatus);

    [Fact]
    public async Task The_office_sees_a_rings_progress_and_a_halt_reaches_every_rooms_policy_and_no_other_ring()
    {
        await using var office = await TestMqttClient.ConnectAsync(Broker.Port, "office");
        var policy = RolloutTests.Document();
        policy["rings"]![0]!["name"] = "canary";
        foreach (var root in new[] { Root, Room2, Elsewhere })
            await office.PublishAsync($"{root}/config/update", JsonSerializer.SerializeToUtf8Bytes(policy), retain: true);
        await office.PublishAsync($"{Root}/update", Status("1.4.1", "1.4.1", "current", "runs 1.4.1, the version of ring canary"), retain: true);
        await office.PublishAsync($"{Room2}/update", Status("1.4.0", "1.4.1", "failed", "1.4.1 rolled-back at 2026-12-07T15:00:00Z: the new agent was not ready within 180s"), retain: true);

        var (code, table) = await Ctl("update");
        Assert.Equal(0, code);
        var line = Assert.Single(table.Split('\n'), l => l.TrimStart().StartsWith("canary", StringComparison.Ordinal));
        Assert.Equal(["canary", "1.4.1", "2", "1", "0", "0", "1", "0"], line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("failed: zj-test/test-school/room-2 — 1.4.1 rolled-back", table);

        var (halt, said) = await Ctl("update", "halt", "canary", "--school", "test-school");
        Assert.Equal((0, "ring canary halted in 2 room(s)' policy"), (halt, said.Trim()));
        await using var reader = await TestMqttClient.ConnectAsync(Broker.Port, "reader");
        await reader.SubscribeAsync("edu/+/+/+/edgeagent/config/update");
        await Eventually.True(() => reader.Received.Select(m => m.Topic).Distinct().Count() == 3, TimeSpan.FromSeconds(10), "the three retained policies");
        JsonObject Policy(string root) => (JsonObject)TestMqttClient.Json(reader.On($"{root}/config/update").Last());
        Assert.True(Policy(Root)["rings"]![0]!["halted"]!.GetValue<bool>());
        Assert.True(Policy(Room2)["rings"]![0]!["halted"]!.GetValue<bool>());
        Assert.Null(Policy(Root)["rings"]![1]!["halted"]); // the other ring untouched
        Assert.Null(Policy(Elsewhere)["rings"]![0]!["halted"]); // the other school untouched

        Assert.Equal(1, (await Ctl("update", "halt", "pilot")).Code); // no policy has that ring
        Assert.Equal(64, (await Ctl("update", "halt")).Code);
    }
}
