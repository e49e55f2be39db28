using System.Globalization;
using System.Text.Json.Nodes;
using EdgeAgent.Tests.TestSupport;
using NJsonSchema;

namespace EdgeAgent.Tests.Media;

/// <summary>
/// The two-way lesson with real parts on 127.0.0.1: two agents (a main room of lanxi-wuxi-ps and a receiving room of
/// lanxi-houren-ps), each with its own simulated classroom, one broker, one relay per direction
/// (<c>srt-live-transmit</c>), real ffmpeg senders and receivers and real mpv players drawing offscreen. Each room
/// sends a still test pattern of its own, so a screenshot of a player says whose picture it shows.
/// </summary>
[Collection(HeavyMedia.Name)]
public sealed class TwoWayLessonTests : PairTest
{
    private const string MainRoom = "room-1", ReceivingRoom = "room-2";
    private readonly List<SimulatedClassroom> _rooms = [];
    private readonly List<SrtRelay> _relays = [];

    public override async Task DisposeAsync()
    {
        foreach (var r in _relays) r.Dispose();
        await base.DisposeAsync();
    }

    private string Config(string school, string room, string role, string pattern, int publishPort, int playPort, string partnerSchool, string partnerRoom,
        LessonNow window)
    {
        var (config, dir, classroom) = Room(school, room, role);
        _rooms.Add(classroom);
        config["stream"] = new JsonObject
        {
            ["videoSource"] = "test", ["testPattern"] = pattern, ["audioSource"] = "test", ["width"] = 320, ["height"] = 180, ["fps"] = 15,
            ["videoBitrateKbps"] = 400, ["audioBitrateKbps"] = 64,
            // This room publishes under its own codes; it plays its partner's, filled from the booking.
            ["uplinkUrl"] = $"srt://127.0.0.1:{publishPort}?mode=caller&streamid={{school}}.{{room}}",
            ["partnerUrl"] = $"srt://127.0.0.1:{playPort}?mode=caller&streamid={{partnerSchool}}.{{partnerRoom}}",
        };
        config["playback"] = new JsonObject
        {
            ["video"] = "offscreen", ["audioDevice"] = "none", ["display"] = "display1", ["displayInput"] = "32", ["partnerWaitSeconds"] = 5,
        };
        config["recording"] = new JsonObject { ["directory"] = Path.Combine(dir, "recordings"), ["segmentSeconds"] = 2 };
        config["lessons"] = window.Lessons(school, partnerSchool, partnerRoom, role);
        return TestConfig.Write(Dir, config, $"{room}.json");
    }

    private static async Task<JsonNode> PartnerSnapshotAsync(TestMqttClient tech, string root)
    {
        var reply = await tech.AskAsync(root, "snapshot", new JsonObject { ["camera"] = "partner" });
        Assert.True((bool)reply["ok"]!, reply.ToJsonString());
        return reply["result"]!;
    }

    private async Task<double> DifferenceAsync(JsonNode snapshot, byte[] reference) =>
        Pictures.Difference(await Pictures.OfBytesAsync(Convert.FromBase64String((string)snapshot["jpegBase64"]!), Dir.Path), reference);

    private static JsonNode? Playback(TestMqttClient tech, string root) =>
        tech.On($"{root}/health").Select(m => TestMqttClient.Json(m)["lesson"]?["playback"]).LastOrDefault(p => p is not null);

    private static Task WaitPlaybackAsync(TestMqttClient tech, string root, Func<JsonNode, bool> condition, string what) =>
        Eventually.True(() => tech.On($"{root}/health").Select(m => TestMqttClient.Json(m)["lesson"]?["playback"]).Any(p => p is not null && condition(p)),
            TimeSpan.FromSeconds(60), what);

    /// <summary>The agent's log lines of a room from Information up (the lesson, the stream, the player), for a failure's message.</summary>
    private string Logs(string room)
    {
        var dir = Path.Combine(Dir.Path, room, "logs");
        var lines = Directory.Exists(dir) ? Directory.GetFiles(dir).SelectMany(File.ReadAllLines).Where(l => !l.Contains("\"@l\":\"Debug", StringComparison.Ordinal)) : [];
        return $"--- {room} ---\n{string.Join('\n', lines.TakeLast(60))}";
    }

    private static int? MpvOf(string playerDirectory) =>
        Directory.EnumerateDirectories("/proc").Select(d => Path.GetFileName(d)).Where(n => n.All(char.IsAsciiDigit)).Select(int.Parse)
            .FirstOrDefault(pid =>
            {
                try
                {
                    var cmd = File.ReadAllText($"/proc/{pid}/cmdline");
                    return cmd.StartsWith("mpv\0", StringComparison.Ordinal) && cmd.Contains(playerDirectory, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
            }) is var found and > 0 ? found : null;

    [Fact]
    public async Task Both_rooms_play_each_other_and_the_slate_covers_a_lost_relay_and_a_dead_player()
    {
        var toReceiving = new SrtRelay();
        var toMain = new SrtRelay();
        _relays.AddRange([toReceiving, toMain]);
        var window = LessonNow.Window();
        var mainRoot = RootOf(Main, MainRoom);
        var receivingRoot = RootOf(Receiving, ReceivingRoom);
        await using var tech = await TestMqttClient.ConnectAsync(Broker.Port, "tech");
        await tech.SubscribeAsync("edu/zj-test/#");
        using var main = AgentProcess.Start(["run", "--config",
            Config(Main, MainRoom, "main", "smptebars", toReceiving.PublishPort, toMain.PlayPort, Receiving, ReceivingRoom, window)]);
        using var receiving = AgentProcess.Start(["run", "--config",
            Config(Receiving, ReceivingRoom, "receiving", "rgbtestsrc", toMain.PublishPort, toReceiving.PlayPort, Main, MainRoom, window)]);

        // Both rooms are on at once (the window began this minute) and each plays the other.
        try
        {
            await WaitPlaybackAsync(tech, mainRoot, p => (string)p["state"]! == "playing", "the main room playing the receiving room");
            await WaitPlaybackAsync(tech, receivingRoot, p => (string)p["state"]! == "playing", "the receiving room playing the main room");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Logs(MainRoom)}\n{Logs(ReceivingRoom)}");
        }
        var bars = await Pictures.OfPatternAsync("smptebars=size=320x180");
        var rgb = await Pictures.OfPatternAsync("rgbtestsrc=size=320x180");
        var atReceiving = await PartnerSnapshotAsync(tech, receivingRoot);
        Assert.Equal("partner", (string)atReceiving["source"]!);
        Assert.True(await DifferenceAsync(atReceiving, bars) < 20, "the receiving room does not show the main room's picture");
        Assert.True(await DifferenceAsync(atReceiving, rgb) > 40, "the receiving room shows the wrong picture");
        var atMain = await PartnerSnapshotAsync(tech, mainRoot);
        Assert.True(await DifferenceAsync(atMain, rgb) < 20, "the main room does not show the receiving room's picture");
        Assert.True(await DifferenceAsync(atMain, bars) > 40, "the main room shows its own picture");
        await WaitPlaybackAsync(tech, receivingRoot, p => p["latencyMs"] is not null, "a latency measured at the receiving room");
        // The technician sees it: what the room receives, live.
        var status = new StringWriter();
        await EdgeAgent.Ctl.CtlCli.InvokeAsync(["status", $"zj-test/{Receiving}/{ReceivingRoom}", "--broker", $"127.0.0.1:{Broker.Port}"], status, new StringWriter());
        Assert.Matches($@"partner {Main}/{MainRoom} playing: latency \d+ ms, \d+ s played", status.ToString());
        // The partner display was switched to the box's input, and the echo canceller is on.
        Assert.Contains("%1INPT 32", _rooms[0].Display.Received);
        Assert.True(_rooms[0].Mic.EchoCancellation(1));

        // The relay to the receiving room dies: there the slate, partner-lost; the main room's recording goes on.
        var mainRecordings = Path.Combine(Dir.Path, MainRoom, "recordings");
        toReceiving.Kill();
        await tech.WaitForAsync(m => m.Topic == $"{receivingRoot}/events" && (string)TestMqttClient.Json(m)["type"]! == "partner-lost",
            TimeSpan.FromSeconds(30), "partner-lost at the receiving room");
        var slate = await PartnerSnapshotAsync(tech, receivingRoot);
        Assert.Equal("slate", (string)slate["source"]!);
        var slateFile = Directory.GetFiles(Path.Combine(Dir.Path, ReceivingRoom, "state", "player"), "slate-*.png").Single();
        var toSlate = await DifferenceAsync(slate, await Pictures.OfFileAsync(slateFile));
        Assert.True(toSlate < 20, $"the receiving room does not show the slate: {toSlate:0.0} from the slate, {await DifferenceAsync(slate, bars):0.0} from the main room's picture\n{Logs(ReceivingRoom)}");
        var segments = Directory.GetFiles(mainRecordings, "*.ts").Length;
        await Eventually.True(() => Directory.GetFiles(mainRecordings, "*.ts").Length >= segments + 2, TimeSpan.FromSeconds(30), "the main room still recording");

        // The relay comes back: the picture is back, partner-restored.
        var back = DateTimeOffset.UtcNow;
        toReceiving.Start();
        var restored = await tech.WaitForAsync(m => m.Topic == $"{receivingRoot}/events" && (string)TestMqttClient.Json(m)["type"]! == "partner-restored",
            TimeSpan.FromSeconds(30), "partner-restored at the receiving room");
        Console.WriteLine($"relay back → partner-restored in {(DateTimeOffset.UtcNow - back).TotalSeconds:0.0} s");
        Assert.True(await DifferenceAsync(await PartnerSnapshotAsync(tech, receivingRoot), bars) < 20, "the main room's picture is not back");

        // The receiving room's player is killed: it is restarted and counted, and plays again.
        var playerDir = Path.Combine(Dir.Path, ReceivingRoom, "state", "player");
        var mpv = MpvOf(playerDir);
        Assert.NotNull(mpv);
        System.Diagnostics.Process.GetProcessById(mpv.Value).Kill();
        await tech.WaitForAsync(m => m.Topic == $"{receivingRoot}/events" && (string)TestMqttClient.Json(m)["type"]! == "player-restarted",
            TimeSpan.FromSeconds(30), "player-restarted");
        await WaitPlaybackAsync(tech, receivingRoot, p => (int)p["playerRestarts"]! >= 1 && (string)p["state"]! == "playing", "playing again after the restart");

        // Both end by hand: the records carry what each room received.
        var records = new Dictionary<string, JsonNode>();
        foreach (var root in new[] { mainRoot, receivingRoot })
        {
            var stop = await tech.AskAsync(root, "lesson-stop");
            Assert.True((bool)stop["ok"]!, stop.ToJsonString());
            records[root] = stop["result"]!;
        }
        foreach (var (root, record) in records)
        {
            var playback = record["playback"]!;
            Assert.True((double)playback["secondsPlayed"]! > 0, $"{root}: {playback.ToJsonString()}");
            var latency = playback["latencyMs"]!;
            Assert.True((double)latency["p50"]! > 0 && (double)latency["p95"]! >= (double)latency["p50"]! && (double)latency["max"]! >= (double)latency["p95"]!,
                latency.ToJsonString());
            Assert.True((int)latency["samples"]! > 10);
        }
        Assert.True((int)records[receivingRoot]["playback"]!["playerRestarts"]! >= 1);
        Assert.True((double)records[receivingRoot]["playback"]!["partnerLostSeconds"]! > 0);

        // Everything the two rooms published matches its schema (lesson records with playback, health with its live figures).
        var schemas = new Dictionary<string, JsonSchema>
        {
            ["lessons"] = await JsonSchema.FromFileAsync(Path.Combine(TestConfig.RepoRoot, "schemas", "edgeagent.lesson.v1.json")),
            ["health"] = await JsonSchema.FromFileAsync(Path.Combine(TestConfig.RepoRoot, "schemas", "edgeagent.health.v1.json")),
            ["events"] = await JsonSchema.FromFileAsync(Path.Combine(TestConfig.RepoRoot, "schemas", "edgeagent.event.v1.json")),
        };
        await tech.WaitForAsync(m => m.Topic == $"{receivingRoot}/lessons", TimeSpan.FromSeconds(30), "the receiving room's record");
        await tech.WaitForAsync(m => m.Topic == $"{mainRoot}/lessons", TimeSpan.FromSeconds(30), "the main room's record");
        foreach (var m in tech.Received.Where(m => schemas.Keys.Any(k => m.Topic.EndsWith("/edgeagent/" + k, StringComparison.Ordinal))))
        {
            var kind = m.Topic[(m.Topic.LastIndexOf('/') + 1)..];
            var errors = schemas[kind].Validate(System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(m.Payload)));
            Assert.True(errors.Count == 0, $"{m.Topic}: {string.Join("; ", errors)}");
        }
        Assert.NotNull(TestMqttClient.Json(tech.On($"{mainRoot}/lessons").Last())["playback"]);

        main.Signal(AgentProcess.SIGTERM);
        receiving.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await main.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await receiving.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(MpvOf(playerDir));
    }

    [Fact]
    public async Task A_partner_that_never_comes_gets_the_slate_and_partner_missing_and_the_lesson_still_records_and_sends()
    {
        var toMain = new SrtRelay(); // nobody publishes into it
        var fromMain = new SrtRelay();
        _relays.AddRange([toMain, fromMain]);
        var window = LessonNow.Window();
        var root = RootOf(Main, MainRoom);
        await using var tech = await TestMqttClient.ConnectAsync(Broker.Port, "tech");
        await tech.SubscribeAsync($"{root}/#");
        using var main = AgentProcess.Start(["run", "--config",
            Config(Main, MainRoom, "main", "smptebars", fromMain.PublishPort, toMain.PlayPort, Receiving, ReceivingRoom, window)]);

        var missing = await tech.WaitForAsync(m => m.Topic == $"{root}/events" && (string)TestMqttClient.Json(m)["type"]! == "partner-missing",
            TimeSpan.FromSeconds(60), "partner-missing");
        Assert.Contains($"{Receiving}/{ReceivingRoom}", (string)TestMqttClient.Json(missing)["detail"]!);
        var snapshot = await PartnerSnapshotAsync(tech, root);
        Assert.Equal("slate", (string)snapshot["source"]!);
        var slateFile = Directory.GetFiles(Path.Combine(Dir.Path, MainRoom, "state", "player"), "slate-*.png").Single();
        Assert.True(await DifferenceAsync(snapshot, await Pictures.OfFileAsync(slateFile)) < 20, "the slate is not on screen");
        await WaitPlaybackAsync(tech, root, p => (string)p["state"]! == "waiting", "health saying the room waits for its partner");
        await Eventually.True(() => tech.On($"{root}/health").Any(m => (double?)TestMqttClient.Json(m)["lesson"]?["stream"]?["secondsStreamed"] > 2),
            TimeSpan.FromSeconds(60), "the room sending meanwhile");

        var record = (await tech.AskAsync(root, "lesson-stop"))["result"]!;
        Assert.Equal(0, (double)record["playback"]!["secondsPlayed"]!);
        Assert.True((double)record["playback"]!["partnerLostSeconds"]! > 0);
        Assert.Null(record["playback"]!["latencyMs"]);
        Assert.True((double)record["stream"]!["secondsStreamed"]! > 0); // it sent and recorded all the same
        Assert.Equal("failed", (string)record["status"]!);
        Assert.Contains("partner classroom's picture played 0 %", (string)record["reason"]!);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(Dir.Path, MainRoom, "recordings"), "*.ts"));
        main.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await main.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData("room-2&passphrase=stolen", "lessons.bookings[0].partnerRoom", "is not a room code")]
    [InlineData("room-2,m=publish", "lessons.bookings[0].partnerRoom", "is not a room code")]
    [InlineData("../../etc", "lessons.bookings[0].partnerRoom", "is not a room code")]
    public async Task A_booking_whose_partner_codes_would_break_out_of_the_partner_url_is_rejected_at_load(string partnerRoom, string field, string reason)
    {
        var path = Config(Main, MainRoom, "main", "smptebars", 9000, 9001, Receiving, partnerRoom, new LessonNow("2022-11-14", "08:30", "09:10", "Asia/Shanghai"));
        var (code, _, stderr) = await AgentProcess.RunAsync("validate", "--config", path);
        Assert.Equal(78, code);
        Assert.Contains($"{field}: ", stderr);
        Assert.Contains(reason, stderr);

        // The same from the office: a timetable document with such a booking is rejected whole.
        var doc = $$"""{"schema":"edgeagent.timetable/1","bookings":[{"id":"b1","date":"2022-11-14","period":"1","form":"SyncClassroom","subject":"maths","partnerSchool":"{{Receiving}}","partnerRoom":{{System.Text.Json.JsonSerializer.Serialize(partnerRoom)}}}]}""";
        Assert.Null(EdgeAgent.Lessons.LessonBook.FromJson(Main, RoomRole.Main, System.Text.Encoding.UTF8.GetBytes(doc), [], out var errors));
        Assert.Contains(errors, e => e.StartsWith("document.bookings[0].partnerRoom: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_partner_url_with_a_placeholder_the_agent_does_not_fill_is_a_config_error()
    {
        var path = Config(Main, MainRoom, "main", "smptebars", 9000, 9001, Receiving, ReceivingRoom, new LessonNow("2022-11-14", "08:30", "09:10", "Asia/Shanghai"));
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        config["stream"]!["partnerUrl"] = "srt://relay:8890?streamid=#!::r=live/{partnerSchool}/{partnerClass},m=request";
        File.WriteAllText(path, config.ToJsonString());
        var (code, _, stderr) = await AgentProcess.RunAsync("validate", "--config", path);
        Assert.Equal(78, code);
        Assert.Contains("stream.partnerUrl: {partnerClass} is not a placeholder here", stderr);
    }
}
