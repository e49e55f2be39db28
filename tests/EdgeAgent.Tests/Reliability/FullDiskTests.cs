using System.Text.Json.Nodes;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Reliability;

/// <summary>
/// A full disk never stops the agent and loses no lesson record: the packaged layout (state database, recordings and
/// logs on one volume) on a 20 MiB tmpfs, filled while a lesson runs and before the agent starts. The agent keeps
/// answering, raises disk-full, frees the oldest recordings first, holds what it cannot store, and stores and sends it
/// when room returns.
/// </summary>
public sealed class FullDiskTests : BrokerTest
{
    private string Config(SmallVolume volume)
    {
        var config = TestConfig.Minimal(volume.Path);
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = Broker.Port, ["heartbeatSeconds"] = 2 };
        config["stream"] = new JsonObject
        {
            ["videoSource"] = "test", ["audioSource"] = "test", ["width"] = 320, ["height"] = 180, ["videoBitrateKbps"] = 400, ["audioBitrateKbps"] = 64,
            ["maxRestarts"] = 100, ["restartMaxSeconds"] = 1,
        };
        config["recording"] = new JsonObject { ["directory"] = Path.Combine(volume.Path, "recordings"), ["segmentSeconds"] = 2, ["minFreeBytes"] = 2 * 1024 * 1024 };
        config["logging"] = new JsonObject { ["level"] = "Information", ["console"] = false };
        return TestConfig.Write(Dir, config, $"edgeagent-{Guid.NewGuid():N}.json");
    }

    private static JsonNode? Degraded(JsonNode ping) => ping["result"]?["degraded"];

    [SkippableFact]
    public async Task A_disk_that_fills_during_a_lesson_does_not_stop_the_agent_nor_lose_the_record()
    {
        using var volume = SmallVolume.TryMount(Dir.Path, 20);
        Skip.If(volume is null, "mounting a tmpfs needs root");
        await using var tech = await TestMqttClient.ConnectAsync(Broker.Port, "tech");
        await tech.SubscribeAsync($"{Root}/#");
        using var agent = AgentProcess.Start(["run", "--config", Config(volume)]);
        await tech.WaitForAsync(m => m.Topic == $"{Root}/state" && (bool)TestMqttClient.Json(m)["online"]!, TimeSpan.FromSeconds(60), "the agent online");
        await Eventually.True(() => File.Exists(Path.Combine(volume.Path, "state", "state.reserve")), TimeSpan.FromSeconds(30), "the state reserve laid down");

        Assert.True((bool)(await tech.AskAsync(Root, "lesson-start"))["ok"]!);
        var recordings = Path.Combine(volume.Path, "recordings");
        await Eventually.True(() => Directory.Exists(recordings) && Directory.GetFiles(recordings, "*.ts").Length >= 3, TimeSpan.FromSeconds(60), "segments recorded");

        // The disk fills, and whatever the agent frees is taken again at once.
        volume.KeepFull();
        await tech.WaitForAsync(m => m.Topic == $"{Root}/events" && (string)TestMqttClient.Json(m)["type"]! == "disk-full", TimeSpan.FromSeconds(60), "disk-full");
        await tech.WaitForAsync(m => m.Topic == $"{Root}/events" && (string)TestMqttClient.Json(m)["type"]! == "disk-low", TimeSpan.FromSeconds(60),
            "disk-low (the recordings' free-space floor cannot be kept)");
        var ping = await tech.AskAsync(Root, "ping");
        Assert.True((bool)ping["ok"]!, ping.ToJsonString());
        Assert.Contains("disk full", Degraded(ping)!.ToJsonString());
        await tech.WaitForAsync(m => m.Topic == $"{Root}/health" && TestMqttClient.Json(m)["degraded"] is not null, TimeSpan.FromSeconds(30), "health saying degraded");
        await tech.WaitForAsync(m => m.Topic == $"{Root}/events" && (string)TestMqttClient.Json(m)["type"]! == "recording-deleted", TimeSpan.FromSeconds(60),
            $"the oldest recordings freed (events so far: {string.Join(" | ", tech.On($"{Root}/events").Select(m => TestMqttClient.Json(m)["type"] + ": " + TestMqttClient.Json(m)["detail"]))})");

        // The lesson ends while nothing can be written: its record is held, not lost.
        var stopped = await tech.AskAsync(Root, "lesson-stop");
        Assert.True((bool)stopped["ok"]!, stopped.ToJsonString());
        var id = (string)stopped["result"]!["id"]!;
        Assert.False(agent.HasExited);
        Assert.True((bool)(await tech.AskAsync(Root, "ping"))["ok"]!);

        // Room returns: the record is stored and sent, and the agent is no longer degraded.
        volume.Release();
        var record = await tech.WaitForAsync(m => m.Topic == $"{Root}/lessons" && (string)TestMqttClient.Json(m)["id"]! == id, TimeSpan.FromSeconds(60), "the held record sent");
        Assert.Equal("adhoc", (string)TestMqttClient.Json(record)["status"]!);
        await Eventually.True(async () => Degraded(await tech.AskAsync(Root, "ping")) is null, TimeSpan.FromSeconds(60), "no longer degraded");
        Assert.False(agent.HasExited);
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(volume.Path, "state", "state.db")}");
        db.Open();
        using var q = db.CreateCommand();
        q.CommandText = "SELECT COUNT(*) FROM lesson_records WHERE id = $id";
        q.Parameters.AddWithValue("$id", id);
        Assert.Equal(1L, q.ExecuteScalar());
    }

    [SkippableFact]
    public async Task On_a_full_volume_the_agent_starts_degraded_and_says_so_and_recovers_when_room_returns()
    {
        using var volume = SmallVolume.TryMount(Dir.Path, 20);
        Skip.If(volume is null, "mounting a tmpfs needs root");
        var config = Config(volume);
        await using var tech = await TestMqttClient.ConnectAsync(Broker.Port, "tech-start");
        await tech.SubscribeAsync($"{Root}/#");

        // A first run makes the state database and its reserve, then the agent stops ...
        using (var first = AgentProcess.Start(["run", "--config", config]))
        {
            await Eventually.True(() => File.Exists(Path.Combine(volume.Path, "state", "state.reserve")), TimeSpan.FromSeconds(60), "the reserve");
            first.Signal(AgentProcess.SIGTERM);
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        // ... the volume fills up to the last byte, and the agent starts again.
        volume.Fill();
        Assert.Equal(0, volume.Free);
        tech.Clear();
        using var agent = AgentProcess.Start(["run", "--config", config]);
        await tech.WaitForAsync(m => m.Topic == $"{Root}/state" && (bool)TestMqttClient.Json(m)["online"]!, TimeSpan.FromSeconds(60),
            $"the agent online on a full volume (stderr: {agent.Stderr})");
        var ping = await tech.AskAsync(Root, "ping");
        Assert.Contains("disk full", Degraded(ping)!.ToJsonString());
        await tech.WaitForAsync(m => m.Topic == $"{Root}/events" && (string)TestMqttClient.Json(m)["type"]! == "disk-full", TimeSpan.FromSeconds(60), "disk-full");
        Assert.False(agent.HasExited);

        volume.Release();
        await Eventually.True(async () => Degraded(await tech.AskAsync(Root, "ping")) is null, TimeSpan.FromSeconds(60), "no longer degraded");
        Assert.True(File.Exists(Path.Combine(volume.Path, "state", "state.reserve")));
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
