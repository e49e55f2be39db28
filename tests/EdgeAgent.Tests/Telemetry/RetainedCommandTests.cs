using System.Text;
using System.Text.Json.Nodes;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using MQTTnet.Formatter;

namespace EdgeAgent.Tests.Telemetry;

/// <summary>
/// A command published retained would run again at every reconnect of the agent. It is never executed: dropped,
/// counted (ping's <c>retainedDropped</c>) and raised as <c>commands-dropped</c> — over MQTT 5 (Retain As Published, so
/// also when it is published retained while the agent is connected) and 3.1.1 (the flag on delivery at subscribe).
/// </summary>
public sealed class RetainedCommandTests : BrokerTest
{
    private readonly SimulatedClassroom _room = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _room.DisposeAsync();
    }

    private JsonObject Config(string protocol)
    {
        var config = TestConfig.Minimal(Dir.Path);
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = Broker.Port, ["protocol"] = protocol };
        config["devices"] = _room.Devices();
        return config;
    }

    private static byte[] PowerOn(string replyTo) =>
        Encoding.UTF8.GetBytes($"{{\"id\":\"retained-1\",\"reply_to\":\"{replyTo}\",\"device\":\"display1\",\"action\":\"power\",\"args\":[\"on\"]}}");

    private int PowerOnCommands => _room.Display.Received.Count(l => l.Contains("POWR 1", StringComparison.Ordinal));

    [Theory]
    [InlineData("5.0")]
    [InlineData("3.1.1")]
    public async Task A_retained_command_is_never_executed_at_connect_nor_at_a_reconnect(string protocol)
    {
        await using var tech = await TestMqttClient.ConnectAsync(Broker.Port, "tech", protocol == "5.0" ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311);
        await tech.SubscribeAsync($"{Root}/#");
        await tech.PublishAsync($"{Root}/cmd/device", PowerOn($"{Root}/reply/tech"), retain: true);

        for (var start = 1; start <= 2; start++)
        {
            await using var agent = await InProcessAgent.StartAsync(Config(protocol));
            await Eventually.True(() => agent.Get<EdgeAgent.Kernel.CommandCounters>().RetainedDropped >= 1, TimeSpan.FromSeconds(30),
                $"the retained command dropped at start {start}");
            // A command that is not retained still runs: the agent answers, and nothing of the retained one happened.
            await tech.PublishAsync($"{Root}/cmd/ping", Encoding.UTF8.GetBytes($"{{\"id\":\"p{start}\",\"reply_to\":\"{Root}/reply/tech\"}}"));
            await tech.WaitForAsync(m => m.Topic == $"{Root}/reply/tech" && TestMqttClient.Json(m)["id"]?.GetValue<string>() == $"p{start}",
                TimeSpan.FromSeconds(30), "the ping's reply");
            Assert.Equal(0, PowerOnCommands);
            Assert.DoesNotContain(tech.Received, m => m.Topic == $"{Root}/reply/tech" && TestMqttClient.Json(m)["id"]?.GetValue<string>() == "retained-1");
            var dropped = await tech.WaitForAsync(m => m.Topic == $"{Root}/events" && TestMqttClient.Json(m)["type"]?.GetValue<string>() == "commands-dropped"
                && tech.Received.Count(x => x.Topic == $"{Root}/events" && TestMqttClient.Json(x)["type"]?.GetValue<string>() == "commands-dropped") >= start,
                TimeSpan.FromSeconds(30), $"the commands-dropped event of start {start}");
            Assert.Contains("cmd/device", TestMqttClient.Json(dropped)["detail"]!.GetValue<string>());
        }
        await tech.PublishAsync($"{Root}/cmd/device", [], retain: true); // cleared
    }

    [Fact]
    public async Task Over_mqtt_5_a_command_published_retained_while_the_agent_listens_is_dropped_too()
    {
        await using var agent = await InProcessAgent.StartAsync(Config("5.0"));
        await Eventually.True(() => agent.Get<MqttLink>().IsReady, TimeSpan.FromSeconds(30), "the agent ready");
        await using var tech = await TestMqttClient.ConnectAsync(Broker.Port, "tech-live");
        await tech.SubscribeAsync($"{Root}/reply/#");
        await tech.PublishAsync($"{Root}/cmd/device", PowerOn($"{Root}/reply/tech-live"), retain: true);
        await Eventually.True(() => agent.Get<EdgeAgent.Kernel.CommandCounters>().RetainedDropped >= 1, TimeSpan.FromSeconds(30), "the live retained command dropped");
        Assert.Equal(0, PowerOnCommands);
        await tech.PublishAsync($"{Root}/cmd/device", [], retain: true);
    }
}
