using System.Text;
using System.Text.Json.Nodes;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Reliability;

/// <summary>
/// No secret leaves the box. A room configured with RTSP credentials in its camera URL, an SRT passphrase and a
/// MediaMTX stream-id password in its uplink and a broker password runs a lesson whose ingest fails (the camera
/// refuses) and whose uplink is down, answers <c>logs</c>, <c>net-test</c> and <c>compliance-check</c>, and is
/// checked with <c>edgeagent check --json</c>. Then everything the agent published, printed, logged and stored is
/// searched for the secrets, in their plain and URL-escaped spellings.
/// </summary>
public sealed class SecretsTests : BrokerTest
{
    private const string CameraPassword = "Cam-Secret-771";
    private const string Passphrase = "Uplink-Secret-4242";
    private const string StreamPassword = "Pub$Secret!55";
    private const string BrokerPassword = "Broker-Secret-99";
    private static readonly string[] Secrets = [CameraPassword, Passphrase, StreamPassword, Uri.EscapeDataString(StreamPassword), BrokerPassword];

    private string Config()
    {
        var config = TestConfig.Minimal(Dir.Path);
        // The broker runs without authentication and takes any password: the agent still sends one.
        config["broker"] = new JsonObject
        {
            ["host"] = "127.0.0.1", ["port"] = Broker.Port, ["heartbeatSeconds"] = 2, ["username"] = "room-1", ["password"] = BrokerPassword,
        };
        config["stream"] = new JsonObject
        {
            ["videoSource"] = "rtsp",
            ["videoInput"] = $"rtsp://teacher:{CameraPassword}@127.0.0.1:{Machine.FreeTcpPort()}/live",
            ["audioSource"] = "test",
            ["uplinkUrl"] = $"srt://127.0.0.1:{Machine.FreeUdpPort()}?mode=caller&passphrase={Passphrase}&streamid=publish:room-1:pub:{Uri.EscapeDataString(StreamPassword)}",
            ["width"] = 320, ["height"] = 180, ["videoBitrateKbps"] = 300,
            ["maxRestarts"] = 1, ["restartMaxSeconds"] = 1,
        };
        return TestConfig.Write(Dir, config);
    }

    [Fact]
    public async Task Secrets_in_urls_and_passwords_appear_nowhere_the_agent_writes_or_sends()
    {
        var config = Config();
        await using var tech = await TestMqttClient.ConnectAsync(Broker.Port, "tech");
        await tech.SubscribeAsync($"{Root}/#");
        using var agent = AgentProcess.Start(["run", "--config", config]);
        await tech.WaitForAsync(m => m.Topic == $"{Root}/state" && (bool)TestMqttClient.Json(m)["online"]!, TimeSpan.FromSeconds(60), "the agent online");

        // A lesson whose camera refuses: the ingest fails, is restarted, gives up, and the lesson fails.
        await tech.AskAsync(Root, "lesson-start");
        var failed = await tech.WaitForAsync(m => m.Topic == $"{Root}/events" && (string)TestMqttClient.Json(m)["type"]! == "lesson-failed",
            TimeSpan.FromSeconds(90), "lesson-failed");
        await tech.WaitForAsync(m => m.Topic == $"{Root}/lessons", TimeSpan.FromSeconds(30), "the failed lesson's record");
        var replies = new List<JsonNode>
        {
            await tech.AskAsync(Root, "logs", new JsonObject { ["lines"] = 1000, ["level"] = "Debug" }),
            await tech.AskAsync(Root, "net-test", new JsonObject { ["count"] = 2 }),
            await tech.AskAsync(Root, "compliance-check", timeout: TimeSpan.FromSeconds(180)),
        };
        await tech.WaitForAsync(m => m.Topic == $"{Root}/compliance", TimeSpan.FromSeconds(30), "the compliance report");
        var check = await AgentProcess.RunAsync("check", "--config", config, "--json");
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        // The failure itself is reported, with the URL in its shown form.
        Assert.Contains("lesson", (string)TestMqttClient.Json(failed)["detail"]!);
        var everything = new List<(string Where, string Text)>();
        everything.AddRange(tech.Received.Select(m => ($"mqtt {m.Topic}", Encoding.UTF8.GetString(m.Payload))));
        everything.AddRange(replies.Select(r => ("reply", r.ToJsonString())));
        everything.Add(("agent stdout", agent.Stdout));
        everything.Add(("agent stderr", agent.Stderr));
        everything.Add(("check --json", check.Stdout + check.Stderr));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Dir.Path, "logs"), "*", SearchOption.AllDirectories))
            everything.Add(($"log file {Path.GetFileName(file)}", File.ReadAllText(file)));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Dir.Path, "state"), "*", SearchOption.AllDirectories))
            everything.Add(($"state file {Path.GetFileName(file)}", Encoding.Latin1.GetString(File.ReadAllBytes(file))));

        // No secret anywhere ...
        var leaks = (from e in everything from s in Secrets where e.Text.Contains(s, StringComparison.Ordinal) select $"{s} in {e.Where}").Distinct().ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
        // ... though the URLs were spoken of (the search would pass vacuously otherwise).
        Assert.Contains(everything, e => e.Text.Contains("rtsp://***@127.0.0.1", StringComparison.Ordinal));
        Assert.Contains(everything, e => e.Where.StartsWith("log file", StringComparison.Ordinal) && e.Text.Contains("passphrase=***", StringComparison.Ordinal));
    }
}
