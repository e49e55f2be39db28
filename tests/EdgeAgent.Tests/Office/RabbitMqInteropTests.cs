using System.Text.Json.Nodes;
using EdgeAgent.Ctl;
using EdgeAgent.Office.Collecting;
using EdgeAgent.Office.Reports;
using EdgeAgent.Office.Store;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using MQTTnet.Formatter;

namespace EdgeAgent.Tests.Office;

/// <summary>
/// The agent and edgeagent-ctl against a second, clusterable broker: RabbitMQ's MQTT plugin (3.1.1 only), so the
/// agent runs with <c>broker.protocol = 3.1.1</c> and commands use the <c>reply_to</c> path.
/// </summary>
public sealed class RabbitMqInteropTests : IAsyncLifetime
{
    private const string Root = "edu/zj-test/test-school/room-1/edgeagent";
    private readonly TempDir _dir = new();
    private RabbitMqBroker _broker = null!;
    private InProcessAgent _agent = null!;

    public async Task InitializeAsync()
    {
        _broker = await RabbitMqBroker.StartAsync(Path.Combine(_dir.Path, "rabbit"));
        var config = TestConfig.Minimal(Path.Combine(_dir.Path, "room"));
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = _broker.MqttPort, ["protocol"] = "3.1.1" };
        _agent = await InProcessAgent.StartAsync(config);
        await Eventually.True(() => _agent.Get<MqttLink>().IsReady, TimeSpan.FromSeconds(30), "the agent to connect to RabbitMQ");
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Birth_a_command_round_trip_and_a_lesson_record_over_rabbitmq()
    {
        // Birth: retained, so a client that subscribes afterwards gets it.
        await using (var watcher = await TestMqttClient.ConnectAsync(_broker.MqttPort, "watcher", MqttProtocolVersion.V311))
        {
            await watcher.SubscribeAsync($"{Root}/state");
            var birth = await watcher.WaitForAsync(m => m.Topic == $"{Root}/state", TimeSpan.FromSeconds(10), "the retained birth");
            Assert.True(birth.Retain);
            Assert.True(TestMqttClient.Json(birth)["online"]!.GetValue<bool>());
        }

        // A command round trip through edgeagent-ctl on the 3.1.1 reply path.
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CtlCli.InvokeAsync(["diag", "zj-test/test-school/room-1", "ping", "--json", "--protocol", "3.1.1", "--broker", $"127.0.0.1:{_broker.MqttPort}"], output, error);
        Assert.True(code == 0, output + error.ToString() + string.Join("\n", _broker.Log.Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("mqtt", StringComparison.OrdinalIgnoreCase)).TakeLast(30)));
        Assert.True(JsonNode.Parse(output.ToString())!["ok"]!.GetValue<bool>());

        // A lesson record through the agent's outbox to the office collector (plain persistent 3.1.1 subscription).
        await using var store = await OfficeStore.OpenAsync(Path.Combine(_dir.Path, "office.db"), CancellationToken.None);
        var collector = new Collector(new EdgeAgent.Client.Broker.BrokerOptions { Host = "127.0.0.1", Port = _broker.MqttPort, Protocol = BrokerProtocol.V311 },
            store, "office-rabbit", null, TextWriter.Null, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => collector.RunAsync(stop.Token));
        await Eventually.True(() => collector.IsSubscribed, TimeSpan.FromSeconds(30), "the collector to subscribe");
        CollectorTests.Queue([_agent], 7, 8);
        await Eventually.True(async () => await store.CountAsync(OfficeKind.Lesson, CancellationToken.None) == 1, TimeSpan.FromSeconds(30), "the lesson record in the office database");
        await stop.CancelAsync();
        await run;
        Assert.Equal(1, collector.Stored);
    }
}
