using System.Globalization;
using System.Text.Json.Nodes;
using EdgeAgent.Tests.TestSupport;
using NJsonSchema;

namespace EdgeAgent.Tests.Lessons;

/// <summary>The real agent process with a real broker: lessons started and stopped by command, records and tallies on their topics.</summary>
public sealed class LessonOverMqttTests : IAsyncLifetime
{
    private const string Root = "edu/zj-test/test-school/room-1/edgeagent";
    private readonly TempDir _dir = new();
    private readonly SimulatedClassroom _room = new();
    private Mosquitto _broker = null!;
    private string _config = "";

    public async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));
        var config = TestConfig.Minimal(_dir.Path);
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = _broker.Port };
        config["devices"] = _room.Devices();
        config["stream"] = new JsonObject
        {
            ["videoSource"] = "test", ["audioSource"] = "test", ["width"] = 320, ["height"] = 180, ["videoBitrateKbps"] = 300, ["audioBitrateKbps"] = 64,
        };
        _room.Camera1.StorePreset(1, 10, 10, 0);
        _config = TestConfig.Write(_dir, config);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        await _room.DisposeAsync();
        _dir.Dispose();
    }

    private static async Task<JsonNode> Ask(TestMqttClient tech, string command)
    {
        var correlation = Guid.NewGuid().ToByteArray();
        await tech.PublishAsync($"{Root}/cmd/{command}", new JsonObject(), $"{Root}/reply/tech", correlation);
        var reply = await tech.WaitForAsync(m => m.Topic == $"{Root}/reply/tech" && m.CorrelationData is { } c && c.SequenceEqual(correlation), TimeSpan.FromSeconds(60), $"the reply to {command}");
        return TestMqttClient.Json(reply);
    }


    [Fact]
    public async Task Lesson_start_and_stop_by_command_publish_a_record_and_tallies_that_match_their_schemas()
    {
        await using var tech = await TestMqttClient.ConnectAsync(_broker.Port, "tech");
        await tech.SubscribeAsync($"{Root}/#");
        using var agent = AgentProcess.Start(["run", "--config", _config]);
        await tech.WaitForAsync(m => m.Topic == $"{Root}/state" && (bool)TestMqttClient.Json(m)["online"]!, TimeSpan.FromSeconds(60), "the agent online");

        var started = await Ask(tech, "lesson-start");
        Assert.True((bool)started["ok"]!, started.ToJsonString());
        Assert.Equal("command", (string)started["result"]!["startedBy"]!);
        await Eventually.True(() => Machine.ChildrenOf(agent.Id).Count() >= 1, TimeSpan.FromSeconds(30), "the encoder process");
        Assert.False((bool)(await Ask(tech, "lesson-start"))["ok"]!); // one lesson at a time
        await Eventually.True(async () => (bool)(await Ask(tech, "lessons"))["result"]!["streaming"]!, TimeSpan.FromSeconds(60), "the lesson streaming");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_dir.Path, "recordings"), "adhoc-*.ts"));

        var stopped = await Ask(tech, "lesson-stop");
        Assert.True((bool)stopped["ok"]!, stopped.ToJsonString());
        Assert.Equal("adhoc", (string)stopped["result"]!["status"]!);

        var record = await tech.WaitForAsync(m => m.Topic == $"{Root}/lessons", TimeSpan.FromSeconds(30), "the lesson record");
        var tallies = await tech.WaitForAsync(m => m.Topic == $"{Root}/tallies", TimeSpan.FromSeconds(30), "the tallies");
        Assert.True(tallies.Retain || tech.Received.Count(m => m.Topic == $"{Root}/tallies") == 1);
        var recordErrors = (await JsonSchema.FromFileAsync(Path.Combine(TestConfig.RepoRoot, "schemas", "edgeagent.lesson.v1.json")))
            .Validate(TestMqttClient.Json(record).ToJsonString());
        Assert.True(recordErrors.Count == 0, string.Join("; ", recordErrors) + "\n" + TestMqttClient.Json(record).ToJsonString());
        var talliesErrors = (await JsonSchema.FromFileAsync(Path.Combine(TestConfig.RepoRoot, "schemas", "edgeagent.tallies.v1.json")))
            .Validate(TestMqttClient.Json(tallies).ToJsonString());
        Assert.True(talliesErrors.Count == 0, string.Join("; ", talliesErrors));
        Assert.Equal(0, (int)TestMqttClient.Json(tallies)["year"]!["lessons"]!); // an ad-hoc lesson does not count
        Assert.Empty(Machine.ChildrenOf(agent.Id));

        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task The_stream_processes_never_outlive_a_killed_agent()
    {
        await using var tech = await TestMqttClient.ConnectAsync(_broker.Port, "tech");
        await tech.SubscribeAsync($"{Root}/#");
        using var agent = AgentProcess.Start(["run", "--config", _config]);
        await tech.WaitForAsync(m => m.Topic == $"{Root}/state" && (bool)TestMqttClient.Json(m)["online"]!, TimeSpan.FromSeconds(60), "the agent online");
        Assert.True((bool)(await Ask(tech, "lesson-start"))["ok"]!);
        await Eventually.True(() => Machine.ChildrenOf(agent.Id).Any(), TimeSpan.FromSeconds(30), "the encoder process");
        var children = Machine.ChildrenOf(agent.Id).ToList();

        agent.Signal(AgentProcess.SIGKILL);
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));

        await Eventually.True(() => children.All(pid => !Machine.ProcessExists(pid)), TimeSpan.FromSeconds(20), "the agent's ffmpeg processes to end");
    }

    [Fact]
    public async Task The_seed_timetable_document_matches_its_schema()
    {
        var doc = new JsonObject
        {
            ["schema"] = "edgeagent.timetable/1",
            ["timetables"] = LessonRig.SeedTimetables(),
            ["bookings"] = new JsonArray(LessonRig.Booking("mon-p1", "2022-11-14", "1"), LessonRig.Booking("wed-p4", "2022-11-16", "4", subject: "science")),
        };
        var schema = await JsonSchema.FromFileAsync(Path.Combine(TestConfig.RepoRoot, "schemas", "edgeagent.timetable.v1.json"));
        Assert.Empty(schema.Validate(doc.ToJsonString()));
        doc["bookings"]![0]!["form"] = "Gossip";
        Assert.NotEmpty(schema.Validate(doc.ToJsonString()));
    }
}
