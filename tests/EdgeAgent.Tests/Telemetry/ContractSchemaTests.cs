using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using NJsonSchema;

namespace EdgeAgent.Tests.Telemetry;

/// <summary>Everything the agent publishes validates against the JSON Schema of its topic in schemas/.</summary>
public sealed class ContractSchemaTests : IAsyncLifetime
{
    private const string Root = "edu/zj-test/test-school/room-1/edgeagent";
    private readonly TempDir _dir = new();
    private readonly SimulatedClassroom _room = new();
    private Mosquitto _broker = null!;

    public async Task InitializeAsync() => _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        await _room.DisposeAsync();
        _dir.Dispose();
    }

    private static Task<JsonSchema> Schema(string name) =>
        JsonSchema.FromFileAsync(Path.Combine(TestConfig.RepoRoot, "schemas", name));

    [Fact]
    public async Task State_health_events_and_replies_match_their_schemas()
    {
        var schemas = new Dictionary<string, JsonSchema>
        {
            [$"{Root}/state"] = await Schema("edgeagent.state.v1.json"),
            [$"{Root}/health"] = await Schema("edgeagent.health.v1.json"),
            [$"{Root}/events"] = await Schema("edgeagent.event.v1.json"),
            [$"{Root}/reply/schema-test"] = await Schema("edgeagent.reply.v1.json"),
        };
        await using var office = await TestMqttClient.ConnectAsync(_broker.Port, "office");
        await office.SubscribeAsync($"{Root}/#");

        var config = TestConfig.Minimal(_dir.Path);
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = _broker.Port };
        config["devices"] = _room.Devices(timeoutMs: 300, pollSeconds: 1);
        await using (var agent = await InProcessAgent.StartAsync(config))
        {
            await office.WaitForAsync(m => m.Topic.EndsWith("/health", StringComparison.Ordinal) && TestMqttClient.Json(m)["devices"]!.AsArray().Count == 4,
                TimeSpan.FromSeconds(30), "health with every device");
            await _room.Mic.DisposeAsync(); // a device goes away: an event
            await office.WaitForAsync(m => m.Topic.EndsWith("/events", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "a device-offline event");
            foreach (var (command, payload) in new[] { ("ping", "{}"), ("device", "{\"device\":\"cam1\",\"action\":\"position\"}"), ("nope", "{}"), ("ping", "[") })
                await office.PublishAsync($"{Root}/cmd/{command}", Encoding.UTF8.GetBytes(payload), $"{Root}/reply/schema-test", [1]);
            await Eventually.True(() => office.On($"{Root}/reply/schema-test").Count == 4, TimeSpan.FromSeconds(30), "four replies");
        }
        await office.WaitForAsync(m => m.Topic.EndsWith("/state", StringComparison.Ordinal) && !(bool)TestMqttClient.Json(m)["online"]!, TimeSpan.FromSeconds(10), "offline state");

        var checkedTopics = new HashSet<string>();
        foreach (var message in office.Received.Where(m => schemas.ContainsKey(m.Topic)))
        {
            var json = Encoding.UTF8.GetString(message.Payload.ToArray());
            var errors = schemas[message.Topic].Validate(json);
            Assert.True(errors.Count == 0, $"{message.Topic}: {json}\n{string.Join("\n", errors)}");
            checkedTopics.Add(message.Topic);
        }
        Assert.Equal(schemas.Keys.ToHashSet(), checkedTopics);
    }

    [Theory]
    [InlineData("edgeagent.command.v1.json", "{\"id\":\"a\",\"reply_to\":\"edu/r/s/x/edgeagent/reply/tech\",\"device\":\"cam1\"}", true)]
    [InlineData("edgeagent.command.v1.json", "{\"reply_to\":\"somewhere/else\"}", false)]
    [InlineData("edgeagent.reply.v1.json", "{\"schema\":\"edgeagent.reply/1\",\"ok\":false}", false)]
    [InlineData("edgeagent.state.v1.json", "{\"schema\":\"edgeagent.state/1\",\"online\":true}", false)]
    public async Task Schemas_reject_what_the_contract_forbids(string schema, string json, bool valid) =>
        Assert.Equal(valid, (await Schema(schema)).Validate(json).Count == 0);
}
