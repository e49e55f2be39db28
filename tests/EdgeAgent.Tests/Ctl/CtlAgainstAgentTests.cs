using System.Text.Json.Nodes;
using EdgeAgent.Ctl;
using EdgeAgent.Ctl.Broker;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Ctl;

/// <summary>edgeagent-ctl's rooms, status and diag against the whole agent (in-process) with the simulated classroom, through a real mosquitto.</summary>
public sealed class CtlAgainstAgentTests : IAsyncLifetime
{
    private const string Room = "zj-test/test-school/room-1";
    private readonly TempDir _dir = new();
    private readonly SimulatedClassroom _classroom = new();
    private Mosquitto _broker = null!;
    private InProcessAgent? _agent;

    public async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));
        var config = TestConfig.Minimal(_dir.Path);
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = _broker.Port, ["heartbeatSeconds"] = 2 };
        config["devices"] = _classroom.Devices();
        _agent = await InProcessAgent.StartAsync(config);
        await Eventually.True(() => _agent.Get<MqttLink>().IsReady, TimeSpan.FromSeconds(30), "the agent to connect");
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null) await _agent.DisposeAsync();
        await _broker.DisposeAsync();
        await _classroom.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<(int Code, string Out, string Err)> Ctl(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CtlCli.InvokeAsync([.. args, "--broker", $"127.0.0.1:{_broker.Port}"], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Rooms_lists_the_room_online_with_its_devices_healthy()
    {
        // The health document follows the first poll of the simulated devices.
        JsonObject room = null!;
        await Eventually.True(async () =>
        {
            var (code, text, _) = await Ctl("rooms", "--json");
            room = (JsonObject)JsonNode.Parse(text)!.AsArray().Single(r => r!["room"]!.GetValue<string>() == Room)!;
            return code == 0 && room["lastHeartbeat"] is not null && room["deviceProblems"]!.AsArray().Count == 0;
        }, TimeSpan.FromSeconds(30), "the room with healthy devices");
        Assert.True(room["online"]!.GetValue<bool>());
        Assert.Equal("main", room["role"]!.GetValue<string>());

        var (tableCode, table, _) = await Ctl("rooms", "--region", "zj-test");
        Assert.Equal(CtlExit.Ok, tableCode);
        Assert.Contains("ROOM", table);
        Assert.Matches($@"{Room}\s+main\s+online", table);
        var (_, other, _) = await Ctl("rooms", "--region", "elsewhere");
        Assert.DoesNotContain(Room, other);
    }

    [Fact]
    public async Task Status_shows_devices_and_upcoming_lessons_of_the_room()
    {
        await Eventually.True(async () => JsonNode.Parse((await Ctl("rooms", "--json")).Out)!.AsArray()
            .Any(r => r!["room"]!.GetValue<string>() == Room && r["lastHeartbeat"] is not null && r["deviceProblems"]!.AsArray().Count == 0),
            TimeSpan.FromSeconds(30), "the health document with every device online");
        var (_, text, error) = await Ctl("status", Room);
        Assert.Contains($"Room {Room}", text);
        Assert.Contains("State: online since", text);
        Assert.Matches(@"cam1\s+camera\s+online", text);
        Assert.Matches(@"display1\s+display\s+online", text);
        Assert.Contains("Upcoming lessons:", text);
        Assert.DoesNotContain("unknown:", text); // the lessons command was answered
        Assert.Equal("", error);
    }

    [Fact]
    public async Task Status_says_what_recordings_wait_for_their_upload()
    {
        // Another room's retained health document, as an agent with recordings waiting publishes it.
        await using var office = await TestMqttClient.ConnectAsync(_broker.Port, "other-room");
        var health = new HealthPayload(HealthPayload.SchemaId, DateTimeOffset.Parse("2026-12-07T10:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture), [],
            new HostVitals(1, 1, 1, 1, null, 1), Uploads: new UploadsHealth(2, 3 * 1_048_576, DateTimeOffset.Parse("2026-12-07T09:05:00+08:00", System.Globalization.CultureInfo.InvariantCulture)));
        await office.PublishAsync("edu/zj-test/other-school/room-9/edgeagent/health",
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(health, EdgeAgent.Contract.Json.ContractJson.Wire.HealthPayload), retain: true);
        var (_, text, _) = await Ctl("status", "zj-test/other-school/room-9");
        Assert.Contains("recordings waiting for upload: 2 lesson(s), 3.0 MiB, the oldest since 2026-12-07 09:05", text);
        // This room uploads nothing: no such line.
        Assert.DoesNotContain("waiting for upload", (await Ctl("status", Room)).Out);
    }

    [Fact]
    public async Task Status_during_a_lesson_shows_it_its_stream_and_its_heals()
    {
        var (started, startText, _) = await Ctl("diag", Room, "lesson-start");
        Assert.True(started == CtlExit.Ok, startText);
        string text = "";
        // Health follows the stream's state changes and the heartbeat: wait for figures from a running encoder.
        var running = new System.Text.RegularExpressions.Regex(@"stream running: [1-9][\d.]* fps, [1-9]\d* kbit/s, uplink none configured, \d+ s streamed, 0 restart\(s\), 0 stall\(s\)");
        try
        {
            await Eventually.True(async () => running.IsMatch(text = (await Ctl("status", Room)).Out), TimeSpan.FromSeconds(60), "status showing the running stream");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"status never showed the running stream; the last:\n{text}");
        }
        Assert.Matches(@"Lesson now: \S+ since [\d-]+ \d{2}:\d{2}, until [\d-]+ \d{2}:\d{2} \(started by command\)", text);

        // Somebody mutes the microphones: the room's playbook unmutes them, and status shows the heal with the lesson.
        await _classroom.Mic.PressMuteButtonAsync(true);
        var healed = new System.Text.RegularExpressions.Regex(@"healed: mics-muted on mic1 at [\d-]+ \d{2}:\d{2} by mics-live in \d+ s \(attempt 1\), \d+ min of lesson saved");
        try
        {
            await Eventually.True(async () => healed.IsMatch(text = (await Ctl("status", Room)).Out), TimeSpan.FromSeconds(60), "status showing the heal");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"status never showed the heal; the last:\n{text}");
        }
        Assert.False(_classroom.Mic.Muted);

        Assert.Equal(CtlExit.Ok, (await Ctl("diag", Room, "lesson-stop")).Code);
        await Eventually.True(async () => (await Ctl("status", Room)).Out.Contains("Lesson now: none", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "status without a lesson");
    }

    [Fact]
    public async Task Diag_compliance_check_prints_the_rule_table_and_the_report_goes_out_as_utf8()
    {
        await using var office = await TestMqttClient.ConnectAsync(_broker.Port, "office");
        await office.SubscribeAsync("edu/zj-test/test-school/room-1/edgeagent/compliance");
        var (code, table, error) = await Ctl("diag", Room, "compliance-check", "--timeout", "170");
        Assert.True(code == CtlExit.Ok, table + error);
        Assert.Contains("技术装备环境检查 / Technical environment check: test-school/room-1 (main)", table);
        Assert.Contains("规则 / rule", table);
        Assert.Contains("结论 / verdict: ", table);
        Assert.DoesNotContain("\"rules\"", table);

        var (jsonCode, json, _) = await Ctl("diag", Room, "compliance-check", "--timeout", "170", "--json");
        Assert.Equal(CtlExit.Ok, jsonCode);
        var rules = JsonNode.Parse(json)!["result"]!["rules"]!.AsArray();
        Assert.NotEmpty(rules);

        // Chinese goes out as UTF-8, not as \u escapes, so that brokers, logs and office tools show it.
        var report = await office.WaitForAsync(m => m.Payload.Length > 0, TimeSpan.FromSeconds(30), "the compliance report");
        var raw = System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(report.Payload));
        var title = (string)rules[0]!["titleZh"]!;
        Assert.Contains(title, raw);
        Assert.DoesNotContain("\\u", raw);
    }

    [Fact]
    public async Task Diag_ping_answers_over_mqtt5_and_311()
    {
        var (code, text, _) = await Ctl("diag", Room, "ping");
        Assert.Equal(CtlExit.Ok, code);
        Assert.Contains($"{Room} ping: ok", text);
        Assert.Contains("\"version\"", text);
        var (code311, json, _) = await Ctl("diag", Room, "ping", "--protocol", "3.1.1", "--json");
        Assert.Equal(CtlExit.Ok, code311);
        Assert.True(JsonNode.Parse(json)!["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Diag_error_replies_are_explained_and_exit_1()
    {
        var (code, text, _) = await Ctl("diag", Room, "device", "--arg", "device=nope", "--arg", "action=status");
        Assert.Equal(CtlExit.Failed, code);
        Assert.Contains("error unknown_device", text);
        Assert.Contains("the room has no device with that id", text);
        var (usage, _, error) = await Ctl("diag", Room, "reboot");
        Assert.Equal(CtlExit.Usage, usage);
        Assert.Contains("not an agent command", error);
    }

    [Fact]
    public async Task Diag_snapshot_writes_the_jpeg_to_a_file()
    {
        var file = Path.Combine(_dir.Path, "cam1.jpg");
        var (code, text, error) = await Ctl("diag", Room, "snapshot", "--arg", "camera=cam1", "--out", file);
        Assert.True(code == CtlExit.Ok, text + error);
        var jpeg = await File.ReadAllBytesAsync(file);
        Assert.True(jpeg.Length > 1000 && jpeg[0] == 0xFF && jpeg[1] == 0xD8, $"{jpeg.Length} bytes");
        Assert.DoesNotContain("jpegBase64", text);
        Assert.Contains(file, text);
    }

    [Fact]
    public async Task Diag_to_an_offline_room_times_out_with_a_clear_message()
    {
        await _agent!.DisposeAsync(); // a clean stop: the retained state says offline
        _agent = null;
        var (code, _, error) = await Ctl("diag", Room, "ping", "--timeout", "2");
        Assert.Equal(CtlExit.Timeout, code);
        Assert.Contains($"no reply from {Room} to ping within 2 s", error);
        Assert.Contains("offline", error);

        var (never, _, neverError) = await Ctl("diag", "zj-test/test-school/room-404", "ping", "--timeout", "1");
        Assert.Equal(CtlExit.Timeout, never);
        Assert.Contains("never seen this room", neverError);
    }

    [Fact]
    public async Task An_unreachable_broker_is_said_in_words()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CtlCli.InvokeAsync(["rooms", "--broker", $"127.0.0.1:{Machine.FreeTcpPort()}"], output, error);
        Assert.Equal(CtlExit.Unreachable, code);
        Assert.Contains("cannot reach the broker", error.ToString());
        Assert.Contains("connection refused", error.ToString());
    }
}

/// <summary>A broker that refuses the connection: the reason in words, exit 3.</summary>
public sealed class CtlRefusedTests
{
    [Fact]
    public async Task A_refusing_broker_is_said_in_words()
    {
        using var dir = new TempDir();
        await using var broker = await Mosquitto.StartAsync(Path.Combine(dir.Path, "broker"), "listener {port} 127.0.0.1\nallow_anonymous false\n");
        var error = new StringWriter();
        var code = await CtlCli.InvokeAsync(["rooms", "--broker", $"127.0.0.1:{broker.Port}", "--username", "tech"], new StringWriter(), error);
        Assert.Equal(CtlExit.Unreachable, code);
        Assert.Contains("refused the connection: not authorized", error.ToString());
    }
}
