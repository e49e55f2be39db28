using System.Text;
using System.Text.Json.Nodes;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using MQTTnet.Formatter;

namespace EdgeAgent.Tests.Telemetry;

/// <summary>Nothing queued for the office is lost: a broker outage with an agent restart in the middle.</summary>
public sealed class OutboxDeliveryTests : IAsyncLifetime
{
    private const string Root = "edu/zj-test/test-school/room-1/edgeagent";
    private readonly TempDir _dir = new();
    private Mosquitto _broker = null!;
    private JsonObject _config = null!;

    public async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));
        _config = TestConfig.Minimal(_dir.Path);
        _config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = _broker.Port, ["reconnectMaxSeconds"] = 2 };
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    private static void Produce(Outbox outbox, string topic, OutboxKind kind, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            var id = Outbox.NewId();
            var payload = new JsonObject { ["schema"] = "test/1", ["id"] = id, ["n"] = i };
            outbox.Enqueue(kind, topic, id, Encoding.UTF8.GetBytes(payload.ToJsonString()));
        }
    }

    [Fact]
    public async Task All_records_arrive_once_in_order_after_an_outage_with_an_agent_restart()
    {
        // The office subscribes with a persistent session, so it receives what is published while it reconnects.
        var office = await TestMqttClient.ConnectAsync(_broker.Port, "office", MqttProtocolVersion.V500, persistentSession: true);
        await office.SubscribeAsync($"{Root}/lessons");
        await office.SubscribeAsync($"{Root}/events");

        var agent = await InProcessAgent.StartAsync(_config);
        await Eventually.True(() => agent.Get<MqttLink>().IsReady, TimeSpan.FromSeconds(30), "the agent to connect");

        await _broker.StopAsync();
        await office.DisposeAsync();
        await Eventually.True(() => !agent.Get<MqttLink>().IsReady, TimeSpan.FromSeconds(30), "the agent to notice the outage");

        var topics = agent.Get<RoomTopics>();
        Produce(agent.Get<Outbox>(), topics.Lessons, OutboxKind.Lesson, 0, 60);
        Produce(agent.Get<Outbox>(), topics.Events, OutboxKind.Event, 0, 30);
        await agent.DisposeAsync(); // agent restart during the outage

        agent = await InProcessAgent.StartAsync(_config);
        Assert.Equal(90, agent.Get<Outbox>().Peek(1000).Count(m => m.Kind is OutboxKind.Lesson or OutboxKind.Event)); // beside the room's own retained status
        Produce(agent.Get<Outbox>(), topics.Lessons, OutboxKind.Lesson, 60, 40);
        Produce(agent.Get<Outbox>(), topics.Events, OutboxKind.Event, 30, 20);

        await _broker.StartAsync();
        office = await TestMqttClient.ConnectAsync(_broker.Port, "office", MqttProtocolVersion.V500, persistentSession: true);
        try
        {
            await Eventually.True(() => agent.Get<Outbox>().Count == 0, TimeSpan.FromSeconds(60),
                $"the outbox to empty (connected {agent.Get<MqttLink>().IsReady}, last failure {agent.Get<MqttLink>().LastFailure}, broker log {_broker.Log})");
            await Eventually.True(() => office.On($"{Root}/lessons").Select(m => (string)TestMqttClient.Json(m)["id"]!).Distinct().Count() == 100,
                TimeSpan.FromSeconds(20), $"all 100 lesson records (got {office.On($"{Root}/lessons").Count}: {string.Join(",", office.On($"{Root}/lessons").Select(m => (int)TestMqttClient.Json(m)["n"]!))}; broker log {_broker.Log})");
            await Eventually.True(() => office.On($"{Root}/events").Select(m => (string)TestMqttClient.Json(m)["id"]!).Distinct().Count() == 50,
                TimeSpan.FromSeconds(30), "all 50 events");
            await Eventually.True(() => agent.Get<Outbox>().Count == 0, TimeSpan.FromSeconds(30), "the outbox to empty");

            // Exactly once after de-duplication by id, and in the order they were produced.
            var lessons = office.On($"{Root}/lessons").Select(TestMqttClient.Json).ToList();
            var firstSeen = lessons.GroupBy(j => (string)j["id"]!).Select(g => (int)g.First()["n"]!).ToList();
            Assert.Equal(Enumerable.Range(0, 100), firstSeen);
            Assert.Equal(0, agent.Get<Outbox>().Dropped);
        }
        finally
        {
            await office.DisposeAsync();
            await agent.DisposeAsync();
        }
    }
}
