using System.Text.Json.Nodes;
using EdgeAgent.Ctl;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Ctl;

/// <summary>An agent configured for MQTT 3.1.1 answers commands (its replies carry no MQTT 5 properties).</summary>
public sealed class Agent311Tests
{
    [Fact]
    public async Task An_agent_on_mqtt_311_answers_commands()
    {
        using var dir = new TempDir();
        await using var broker = await Mosquitto.StartAsync(Path.Combine(dir.Path, "broker"));
        var config = TestConfig.Minimal(dir.Path);
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = broker.Port, ["protocol"] = "3.1.1" };
        await using var agent = await InProcessAgent.StartAsync(config);
        await Eventually.True(() => agent.Get<MqttLink>().IsReady, TimeSpan.FromSeconds(30), "the agent to connect");
        foreach (var protocol in new[] { "3.1.1", "5.0" })
        {
            var output = new StringWriter();
            var code = await CtlCli.InvokeAsync(["diag", "zj-test/test-school/room-1", "ping", "--protocol", protocol, "--broker", $"127.0.0.1:{broker.Port}"], output, new StringWriter());
            Assert.True(code == 0, $"{protocol}: {output}");
        }
    }
}
