using System.Text.Json.Nodes;
using EdgeAgent.Compliance;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Cli;

/// <summary><c>edgeagent check</c>, the real executable: exit codes for pass, warn, fail and could-not-run, with policies made for each.</summary>
public sealed class CheckCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A policy of the default's rules with these ids only.</summary>
    private string Policy(params string[] ids)
    {
        var doc = JsonNode.Parse(CompliancePolicy.Default.Json)!.AsObject();
        var kept = new JsonArray(doc["rules"]!.AsArray().Where(r => ids.Contains((string)r!["id"]!)).Select(r => r!.DeepClone()).ToArray());
        doc["rules"] = kept;
        doc["id"] = "test-" + string.Join("-", ids);
        return _dir.Write($"policy-{string.Join("-", ids)}.json", doc.ToJsonString());
    }

    private string Config(string role, string policy, Action<JsonObject>? edit = null)
    {
        var config = TestConfig.Minimal(_dir.Path);
        config["role"] = role;
        config["stream"] = new JsonObject { ["videoSource"] = "test", ["audioSource"] = "test", ["width"] = 1280, ["height"] = 720, ["encoder"] = "libx264" };
        config["compliance"] = new JsonObject { ["policyFile"] = policy, ["micTestSeconds"] = 1 };
        edit?.Invoke(config);
        return TestConfig.Write(_dir, config, $"edgeagent-{role}-{Path.GetFileNameWithoutExtension(policy)}.json");
    }

    [Fact]
    public async Task Pass_exits_0_and_prints_the_table_in_both_languages()
    {
        var (code, stdout, stderr) = await AgentProcess.RunAsync("check", "--config", Config("main", Policy("ENC-CODEC", "CAM-FPS")));
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        Assert.Contains("编码 / codec", stdout);
        Assert.Contains("结论 / verdict: 达标 / pass", stdout);
    }

    [Fact]
    public async Task The_table_fits_an_80_column_terminal_aligned_by_display_width_and_wrapped_not_cut()
    {
        using var agent = AgentProcess.Start(["check", "--config", Config("main", Policy("ENC-CODEC", "CAM-FPS", "CAM-RES", "REC-DISK"))],
            new Dictionary<string, string> { ["COLUMNS"] = "80" });
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var lines = agent.Stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        // Chinese characters take two columns; Spectre measures them so.
        static int Columns(string line) => line.Sum(c => c is >= '\u2E80' and <= '\uA4CF' or >= '\uFF00' and <= '\uFF60' ? 2 : 1);
        var table = lines.Where(l => l.Contains('│') || l.Contains('─') || l.StartsWith("  ", StringComparison.Ordinal)).ToList();
        Assert.All(table, l => Assert.True(Columns(l) <= 80, $"{Columns(l)} columns: '{l}'"));
        // Wrapped, not cut: every word of a long title is there (the old table printed "capture resoluti…").
        Assert.Contains("resolution", agent.Stdout);
        Assert.DoesNotContain("resoluti…", agent.Stdout);
        // The header's columns line up with the rows' under CJK text: every cell of one column starts at the same column.
        var header = lines.First(l => l.Contains("规则 / rule", StringComparison.Ordinal));
        var row = lines.First(l => l.TrimStart().StartsWith("CAM-FPS", StringComparison.Ordinal));
        Assert.True(row.Contains("帧率", StringComparison.Ordinal), agent.Stdout);
        int At(string line, string word) => Columns(line[..line.IndexOf(word, StringComparison.Ordinal)]);
        Assert.Equal(At(header, "规则"), At(row, "帧率"));
        Assert.Contains("(school time)", agent.Stdout);
        Assert.Contains("(main)", agent.Stdout);
    }

    [Fact]
    public async Task Warn_exits_1_for_720p_in_a_receiving_room()
    {
        var (code, stdout, _) = await AgentProcess.RunAsync("check", "--config", Config("receiving", Policy("CAM-RES")));
        Assert.Equal(1, code);
        Assert.Contains("warn", stdout);
    }

    [Fact]
    public async Task Fail_exits_2_for_720p_in_a_main_room_and_json_carries_the_report()
    {
        var path = Config("main", Policy("CAM-RES", "ENC-CODEC"));
        var (code, _, _) = await AgentProcess.RunAsync("check", "--config", path);
        Assert.Equal(2, code);
        var (jsonCode, json, _) = await AgentProcess.RunAsync("check", "--config", path, "--json");
        Assert.Equal(2, jsonCode);
        var report = JsonNode.Parse(json)!;
        Assert.Equal("fail", (string)report["verdict"]!);
        Assert.Equal("test-CAM-RES-ENC-CODEC", (string)report["policyId"]!);
        var camRes = report["rules"]!.AsArray().Single(r => (string)r!["id"]! == "CAM-RES")!;
        Assert.Equal("720", (string)camRes["measured"]!);
        Assert.Contains("1280x720", (string)camRes["evidence"]!);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_unknown_and_exits_3()
    {
        var path = Config("main", Policy("NET-RTT", "NET-UP"), c => c["compliance"]!["iperf3Host"] = "127.0.0.1");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["compliance"]!["iperf3Port"] = Machine.FreeTcpPort();
        File.WriteAllText(path, json.ToJsonString());
        var (code, stdout, _) = await AgentProcess.RunAsync("check", "--config", path);
        Assert.Equal(3, code);
        Assert.Contains("无法判断 / unknown", stdout);
        Assert.Contains("none answered", stdout);
    }
}
