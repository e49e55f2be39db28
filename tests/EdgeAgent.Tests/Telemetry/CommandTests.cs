using System.Text;
using System.Text.Json.Nodes;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using MQTTnet;
using MQTTnet.Formatter;

namespace EdgeAgent.Tests.Telemetry;

/// <summary>Commands over a real mosquitto to the whole agent in-process, with the simulated classroom.</summary>
public sealed class CommandTests : IAsyncLifetime
{
    private const string Root = "edu/zj-test/test-school/room-1/edgeagent";
    private readonly TempDir _dir = new();
    private readonly SimulatedClassroom _room = new();
    private Mosquitto _broker = null!;
    private InProcessAgent _agent = null!;
    private TestMqttClient _tech = null!;
    private TestMqttClient _tech311 = null!;
    private SrtReceiver _ingest = null!;

    public async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));
        var config = TestConfig.Minimal(_dir.Path);
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = _broker.Port };
        config["devices"] = _room.Devices();
        // A real SRT listener: net-test measures the uplink's own path (SRT handshakes over UDP).
        _ingest = new SrtReceiver(Machine.FreeUdpPort(), Path.Combine(_dir.Path, "ingest.ts"));
        _ingest.Start();
        config["stream"]!["uplinkUrl"] = $"srt://127.0.0.1:{_ingest.Port}?streamid=test";
        _agent = await InProcessAgent.StartAsync(config);
        await Eventually.True(() => _agent.Get<MqttLink>().IsReady, TimeSpan.FromSeconds(30), "the agent to connect");
        _tech = await TestMqttClient.ConnectAsync(_broker.Port, "tech5");
        await _tech.SubscribeAsync($"{Root}/reply/#");
        _tech311 = await TestMqttClient.ConnectAsync(_broker.Port, "tech311", MqttProtocolVersion.V311);
        await _tech311.SubscribeAsync($"{Root}/reply/#");
    }

    public async Task DisposeAsync()
    {
        await _tech.DisposeAsync();
        await _tech311.DisposeAsync();
        await _agent.DisposeAsync();
        await _broker.DisposeAsync();
        await _room.DisposeAsync();
        _ingest.Dispose();
        _dir.Dispose();
    }

    /// <summary>MQTT 5: Response Topic and Correlation Data.</summary>
    private async Task<JsonNode> Ask5(string command, JsonObject args, TimeSpan? timeout = null)
    {
        var correlation = Guid.NewGuid().ToByteArray();
        await _tech.PublishAsync($"{Root}/cmd/{command}", args, $"{Root}/reply/tech5", correlation);
        var reply = await _tech.WaitForAsync(m => m.CorrelationData is { } c && c.SequenceEqual(correlation), timeout ?? TimeSpan.FromSeconds(30), $"the reply to {command}");
        return TestMqttClient.Json(reply);
    }

    /// <summary>MQTT 3.1.1: reply_to and id in the JSON.</summary>
    private async Task<JsonNode> Ask311(string command, JsonObject args)
    {
        var id = Guid.NewGuid().ToString("N");
        args["id"] = id;
        args["reply_to"] = $"{Root}/reply/tech311";
        await _tech311.PublishAsync($"{Root}/cmd/{command}", args);
        var reply = await _tech311.WaitForAsync(m => TestMqttClient.Json(m)["id"]?.GetValue<string>() == id, TimeSpan.FromSeconds(30), $"the reply to {command}");
        return TestMqttClient.Json(reply);
    }

    [Fact]
    public async Task Ping_answers_over_both_protocols()
    {
        var five = await Ask5("ping", []);
        Assert.True((bool)five["ok"]!, five.ToJsonString());
        Assert.Equal("edgeagent.reply/1", (string)five["schema"]!);
        Assert.Equal("zj-test/test-school/room-1", (string)five["result"]!["room"]!);
        var three = await Ask311("ping", []);
        Assert.True((bool)three["ok"]!, three.ToJsonString());
    }

    [Fact]
    public async Task Snapshot_and_stream_restart_act_on_a_running_stream_without_disturbing_it()
    {
        var streams = _agent.Get<StreamService>();
        var stream = await streams.StartStreamAsync("lesson-snap", CancellationToken.None);
        await stream.Running.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.True(() => stream.Stats.StreamedSeconds >= 3, TimeSpan.FromSeconds(30), "three seconds recorded");
        var encoder = stream.EncoderPid;

        var snapshot = await Ask5("snapshot", new JsonObject { ["camera"] = "cam1" });
        Assert.True((bool)snapshot["ok"]!, snapshot.ToJsonString());
        Assert.Equal("recording", (string)snapshot["result"]!["source"]!);
        Assert.Equal([0xFF, 0xD8], Convert.FromBase64String((string)snapshot["result"]!["jpegBase64"]!)[..2]);
        Assert.Equal(encoder, stream.EncoderPid);
        Assert.Equal(0, stream.Stats.Restarts);

        var restart = await Ask5("stream-restart", []);
        Assert.True((bool)restart["ok"]!, restart.ToJsonString());
        Assert.Equal("lesson-snap", (string)restart["result"]!["lesson"]!);
        await Eventually.True(() => stream.EncoderPid is { } pid && pid != encoder, TimeSpan.FromSeconds(30), "a new encoder");
        Assert.Equal(1, stream.Stats.Restarts);
        Assert.Equal(StreamState.Running, stream.Stats.State);

        await streams.StopStreamAsync();
        var none = await Ask5("stream-restart", []);
        Assert.Equal("bad_args", (string)none["error"]!["code"]!);
    }

    [Fact]
    public async Task Every_allow_listed_command_is_answered()
    {
        var health = await Ask5("health", []);
        Assert.Equal(4, health["result"]!["devices"]!.AsArray().Count);

        var device = await Ask311("device", new JsonObject { ["device"] = "cam1", ["action"] = "preset-set", ["args"] = new JsonArray("teacher") });
        Assert.True((bool)device["ok"]!, device.ToJsonString());
        Assert.True(_room.Camera1.HasPreset(1));

        var snapshot = await Ask5("snapshot", new JsonObject { ["camera"] = "cam1" });
        Assert.True((bool)snapshot["ok"]!, snapshot.ToJsonString());
        var jpeg = Convert.FromBase64String((string)snapshot["result"]!["jpegBase64"]!);
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);

        var logs = await Ask5("logs", new JsonObject { ["lines"] = 5, ["level"] = "Information" });
        Assert.True((bool)logs["ok"]!, logs.ToJsonString());
        Assert.InRange((int)logs["result"]!["count"]!, 1, 5);

        var net = await Ask5("net-test", new JsonObject { ["count"] = 3 });
        Assert.True((bool)net["ok"]!, net.ToJsonString());
        Assert.Equal(0.0, (double)net["result"]!["lossPercent"]!);
        Assert.Contains("SRT handshakes", (string)net["result"]!["path"]!);

        var compliance = await Ask5("compliance-check", [], TimeSpan.FromSeconds(120));
        Assert.True((bool)compliance["ok"]!, compliance.ToJsonString());
        var report = compliance["result"]!;
        var schema = await NJsonSchema.JsonSchema.FromFileAsync(Path.Combine(TestConfig.RepoRoot, "schemas", "edgeagent.compliance.v1.json"));
        Assert.Empty(schema.Validate(report.ToJsonString()));
        JsonNode Rule(string id) => report["rules"]!.AsArray().Single(r => (string)r!["id"]! == id)!;
        Assert.Equal("fail", (string)report["verdict"]!); // the 1280x720 test source in a main room
        Assert.Equal(("720", "fail"), ((string)Rule("CAM-RES")["measured"]!, (string)Rule("CAM-RES")["verdict"]!));
        Assert.Equal(("2", "pass"), ((string)Rule("CAM-COUNT")["measured"]!, (string)Rule("CAM-COUNT")["verdict"]!));
        Assert.Equal("pass", (string)Rule("AUD-LEVEL")["verdict"]!);
        Assert.Equal("unknown", (string)Rule("NET-UP")["verdict"]!);
        Assert.Contains("iperf3", (string)Rule("NET-UP")["evidence"]!);

        var restart = await Ask5("stream-restart", []);
        Assert.False((bool)restart["ok"]!);
        Assert.Equal("bad_args", (string)restart["error"]!["code"]!);
    }

    [Theory]
    [InlineData("reboot", "{}", "unknown_command")]
    [InlineData("ping", "[1,2]", "bad_json")]
    [InlineData("ping", "{\"x\":", "bad_json")]
    [InlineData("ping", "{\"extra\":1}", "bad_args")]
    [InlineData("device", "{\"device\":\"cam1; reboot\",\"action\":\"position\"}", "unknown_device")]
    [InlineData("device", "{\"device\":\"cam1\",\"action\":\"preset-recall\",\"args\":[\"$(halt)\"]}", "bad_args")]
    [InlineData("device", "{\"device\":7,\"action\":\"status\"}", "bad_args")]
    [InlineData("logs", "{\"lines\":100000}", "bad_args")]
    public async Task Bad_requests_get_stable_error_codes(string command, string payload, string code)
    {
        var correlation = Guid.NewGuid().ToByteArray();
        await _tech.PublishAsync($"{Root}/cmd/{command}", Encoding.UTF8.GetBytes(payload), $"{Root}/reply/tech5", correlation);
        var reply = TestMqttClient.Json(await _tech.WaitForAsync(m => m.CorrelationData is { } c && c.SequenceEqual(correlation), TimeSpan.FromSeconds(30), "the reply"));
        Assert.False((bool)reply["ok"]!);
        Assert.Equal(code, (string)reply["error"]!["code"]!);
        Assert.False(string.IsNullOrWhiteSpace((string)reply["error"]!["message"]!));
    }

    [Fact]
    public async Task Oversized_commands_are_too_large()
    {
        var correlation = Guid.NewGuid().ToByteArray();
        var huge = Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 70 * 1024) + "\"}");
        await _tech.PublishAsync($"{Root}/cmd/ping", huge, $"{Root}/reply/tech5", correlation);
        var reply = TestMqttClient.Json(await _tech.WaitForAsync(m => m.CorrelationData is { } c && c.SequenceEqual(correlation), TimeSpan.FromSeconds(30), "the reply"));
        Assert.Equal("too_large", (string)reply["error"]!["code"]!);
    }

    [Fact]
    public async Task Replies_never_go_outside_the_agents_reply_tree()
    {
        await using var spy = await TestMqttClient.ConnectAsync(_broker.Port, "spy");
        await spy.SubscribeAsync("#");
        var before = _agent.Get<CommandCounters>().Dropped;
        await _tech.PublishAsync($"{Root}/cmd/ping", Encoding.UTF8.GetBytes("{\"reply_to\":\"edu/other/school/room/edgeagent/cmd/device\"}"), "elsewhere/topic");
        await Eventually.True(() => _agent.Get<CommandCounters>().Dropped == before + 1, TimeSpan.FromSeconds(10), "the unanswerable command to be counted");
        Assert.DoesNotContain(spy.Received, m => m.Topic.StartsWith("elsewhere", StringComparison.Ordinal) || m.Topic.StartsWith("edu/other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ten_thousand_malformed_commands_are_answered_or_counted_and_ping_still_answers()
    {
        var random = new Random(20261122);
        var counters = _agent.Get<CommandCounters>();
        var before = (counters.Received, counters.Replied, counters.Dropped);
        var replyTopic = $"{Root}/reply/fuzz";
        await using var fuzz = await TestMqttClient.ConnectAsync(_broker.Port, "fuzz");
        await fuzz.SubscribeAsync(replyTopic);
        string[] names = ["ping", "device", "logs", "health", "nope", "device/../ping", "%00", "snapshot", "net-test", new string('a', 300)];
        const int total = 10_000;
        var routed = 0; // a name with '/' is not under cmd/+ and never reaches the agent
        for (var i = 0; i < total; i++)
        {
            byte[] payload = (i % 8) switch
            {
                0 => RandomBytes(random, random.Next(0, 200)),
                1 => [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D], // {"\xC3(":1} invalid UTF-8
                2 => Encoding.UTF8.GetBytes(new string('[', 500) + new string(']', 500)),
                3 => Encoding.UTF8.GetBytes("{\"device\":\"" + new string('x', random.Next(100, 5000)) + "\",\"action\":\"status\"}"),
                4 => Encoding.UTF8.GetBytes("{\"device\":[1],\"action\":{\"a\":null},\"args\":\"no\"}"),
                5 => Encoding.UTF8.GetBytes("{\"device\":\"cam1\\\"; rm -rf / #\",\"action\":\"status\",\"args\":[\"-f\",\"$(id)\"]}"),
                6 => Encoding.UTF8.GetBytes("{\"lines\":-1,\"level\":\"\\u0000\"}"),
                _ => Encoding.UTF8.GetBytes("\"just a string\""),
            };
            var name = names[random.Next(names.Length)];
            if (!name.Contains('/')) routed++;
            // One message in ten has no reply target at all: it must be dropped and counted.
            var responseTopic = i % 10 == 9 ? null : replyTopic;
            await fuzz.PublishAsync($"{Root}/cmd/{name}", payload, responseTopic);
        }

        await Eventually.True(() => counters.Received - before.Received == routed, TimeSpan.FromSeconds(120),
            $"the agent to receive every routed message ({counters.Received - before.Received} of {routed})");
        await Eventually.True(() => fuzz.Received.Count + (counters.Dropped - before.Dropped) == routed, TimeSpan.FromSeconds(120),
            $"every message answered or counted (replies {fuzz.Received.Count}, dropped {counters.Dropped - before.Dropped}, replied {counters.Replied - before.Replied}, busy {counters.Busy}, received {counters.Received - before.Received} of {routed})");
        Assert.Equal(counters.Replied - before.Replied, fuzz.Received.Count);
        Assert.All(fuzz.Received, m => Assert.False((bool)TestMqttClient.Json(m)["ok"]!));

        var ping = await Ask5("ping", [], TimeSpan.FromSeconds(5));
        Assert.True((bool)ping["ok"]!);
    }

    private static byte[] RandomBytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }
}
