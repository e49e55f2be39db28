using System.Text.Json.Nodes;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Telemetry;

/// <summary>The real agent process against a real mosquitto: birth, Last Will on a crash, offline on a clean stop.</summary>
public sealed class BirthAndWillTests : IAsyncLifetime
{
    private const string Root = "edu/zj-test/test-school/room-1/edgeagent";
    private readonly TempDir _dir = new();
    private Mosquitto _broker = null!;
    private string _config = "";

    public async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));
        var config = TestConfig.Minimal(_dir.Path);
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = _broker.Port, ["keepAliveSeconds"] = 5 };
        _config = TestConfig.Write(_dir, config);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    private static bool Online(MQTTnet.MqttApplicationMessage m, bool online) =>
        (bool)TestMqttClient.Json(m)["online"]! == online;

    [Fact]
    public async Task Birth_is_retained_and_a_killed_agent_leaves_its_will()
    {
        using (var agent = AgentProcess.Start(["run", "--config", _config]))
        {
            await using var watcher = await TestMqttClient.ConnectAsync(_broker.Port, "watcher1");
            await watcher.SubscribeAsync($"{Root}/state");
            var birth = await watcher.WaitForAsync(m => Online(m, true), TimeSpan.FromSeconds(60), "the birth message");
            var json = TestMqttClient.Json(birth);
            Assert.Equal("edgeagent.state/1", (string)json["schema"]!);
            Assert.Equal("main", (string)json["role"]!);
            Assert.NotNull(json["startedAt"]);

            // Retained: a client that subscribes later still sees it.
            await using var late = await TestMqttClient.ConnectAsync(_broker.Port, "late");
            await late.SubscribeAsync($"{Root}/state");
            var retained = await late.WaitForAsync(m => m.Retain, TimeSpan.FromSeconds(10), "the retained birth");
            Assert.True(Online(retained, true));

            agent.Signal(AgentProcess.SIGKILL);
            await agent.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var will = await watcher.WaitForAsync(m => Online(m, false), TimeSpan.FromSeconds(30), "the Last Will");
            Assert.Equal("edgeagent.state/1", (string)TestMqttClient.Json(will)["schema"]!);
        }
        await using var after = await TestMqttClient.ConnectAsync(_broker.Port, "after");
        await after.SubscribeAsync($"{Root}/state");
        Assert.True(Online(await after.WaitForAsync(m => m.Retain, TimeSpan.FromSeconds(10), "the retained will"), false));
    }

    [Fact]
    public async Task A_clean_stop_publishes_offline_itself()
    {
        await using var watcher = await TestMqttClient.ConnectAsync(_broker.Port, "watcher2");
        await watcher.SubscribeAsync($"{Root}/state");
        using var agent = AgentProcess.Start(["run", "--config", _config]);
        await watcher.WaitForAsync(m => Online(m, true), TimeSpan.FromSeconds(60), "the birth message");
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        await watcher.WaitForAsync(m => Online(m, false), TimeSpan.FromSeconds(10), "the offline state");
        Assert.Contains("Published offline state and disconnected", agent.Stderr);
    }

    [Fact]
    public async Task Health_is_retained_with_host_vitals()
    {
        using var agent = AgentProcess.Start(["run", "--config", _config]);
        await using var office = await TestMqttClient.ConnectAsync(_broker.Port, "office");
        await office.SubscribeAsync($"{Root}/health");
        var health = TestMqttClient.Json(await office.WaitForAsync(_ => true, TimeSpan.FromSeconds(60), "the health document"));
        Assert.Equal("edgeagent.health/1", (string)health["schema"]!);
        Assert.True((long)health["host"]!["uptimeSeconds"]! > 0);
        Assert.True((long)health["host"]!["recordingFreeBytes"]! > 0);
        Assert.Empty(health["devices"]!.AsArray());
    }
}
