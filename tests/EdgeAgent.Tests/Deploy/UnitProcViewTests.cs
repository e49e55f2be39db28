using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Deploy;

/// <summary>
/// The agent under the exact /proc view its packaged unit gives it. systemd is not PID 1 here, so the view is
/// reproduced: a private mount namespace with /proc mounted with the options the unit's <c>ProtectProc=</c> and
/// <c>ProcSubset=</c> mean, and the agent running as an unprivileged user (as the unit's <c>User=</c>), so that
/// <c>hidepid</c> applies to it. Under that view the host figures are read and a lesson's stream runs.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnitProcViewTests : BrokerTest
{
    private const int Nobody = 65534;
    /// <summary>The proc(5) mount options the unit asks for: ProtectProc= is hidepid=, ProcSubset=pid is subset=pid.</summary>
    internal static string ProcMountOptions(IEnumerable<string> unitLines)
    {
        var settings = unitLines.Select(l => l.Trim()).Where(l => !l.StartsWith('#'))
            .Select(l => Regex.Match(l, @"^(ProtectProc|ProcSubset)=(\S+)$")).Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var options = new List<string>();
        if (settings.TryGetValue("ProtectProc", out var protect) && protect != "default") options.Add($"hidepid={protect}");
        if (settings.TryGetValue("ProcSubset", out var subset) && subset == "pid") options.Add("subset=pid");
        return options.Count == 0 ? "defaults" : string.Join(',', options);
    }

    [SkippableFact]
    public async Task Under_the_units_proc_view_the_host_figures_are_read_and_a_lesson_streams()
    {
        Skip.IfNot(Environment.UserName == "root" && File.Exists("/usr/bin/unshare") && File.Exists("/usr/bin/setpriv"), "needs root, unshare and setpriv");
        var unit = File.ReadAllLines(Path.Combine(TestConfig.RepoRoot, "deploy/systemd/edgeagent.service"));
        var mount = ProcMountOptions(unit);
        Assert.Contains("hidepid=invisible", mount); // the unit still hides other users' processes

        var config = TestConfig.Minimal(Dir.Path);
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = Broker.Port, ["heartbeatSeconds"] = 1 };
        config["stream"] = new JsonObject { ["videoSource"] = "test", ["audioSource"] = "test", ["width"] = 320, ["height"] = 180, ["videoBitrateKbps"] = 300 };
        config["recording"] = new JsonObject { ["directory"] = Path.Combine(Dir.Path, "recordings"), ["segmentSeconds"] = 2 };
        var path = TestConfig.Write(Dir, config);
        foreach (var d in new[] { "state", "logs", "recordings" })
        {
            Directory.CreateDirectory(Path.Combine(Dir.Path, d));
            File.SetUnixFileMode(Path.Combine(Dir.Path, d), (UnixFileMode)0x1FF); // 0777: the unprivileged agent writes here
        }
        File.SetUnixFileMode(Dir.Path, (UnixFileMode)0x1ED); // 0755

        await using var tech = await TestMqttClient.ConnectAsync(Broker.Port, "tech");
        await tech.SubscribeAsync($"{Root}/#");
        using var agent = AgentProcess.StartUnder(
            ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
             $"mount -t proc -o {mount} proc /proc && exec setpriv --reuid={Nobody} --regid={Nobody} --clear-groups \"$0\" \"$@\""],
            ["run", "--config", path]);

        JsonNode? host = null;
        await Eventually.True(() =>
        {
            var last = tech.On($"{Root}/health").LastOrDefault();
            host = last is null ? null : TestMqttClient.Json(last)["host"];
            return host is not null && (double)host["memoryPercent"]! > 0 && (long)host["uptimeSeconds"]! > 0;
        }, TimeSpan.FromSeconds(60), $"health with the host's memory and uptime read (agent stderr: {agent.Stderr})");
        // The CPU figure is a difference of two /proc/stat reads: it is there from the second heartbeat on.
        await Eventually.True(() => tech.On($"{Root}/health").Any(m => (double)TestMqttClient.Json(m)["host"]!["cpuPercent"]! > 0),
            TimeSpan.FromSeconds(30), "a CPU figure read from /proc/stat");

        Assert.True((bool)(await tech.AskAsync(Root, "lesson-start"))["ok"]!);
        await Eventually.True(() => tech.On($"{Root}/health").Select(m => TestMqttClient.Json(m)["lesson"]?["stream"]).Any(s => s is not null && (string)s["state"]! == "running" && (double)s["fps"]! > 0),
            TimeSpan.FromSeconds(60), "the lesson's stream running");
        Assert.True((bool)(await tech.AskAsync(Root, "lesson-stop"))["ok"]!);
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
