using System.Text.Json.Nodes;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>Valid agent configurations for tests, with every directory inside a temp dir.</summary>
public static class TestConfig
{
    public static JsonObject Minimal(string dir) => new()
    {
        ["region"] = "zj-test",
        ["school"] = "test-school",
        ["room"] = "room-1",
        ["role"] = "main",
        ["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = 1883 },
        ["devices"] = new JsonArray(),
        ["stream"] = new JsonObject { ["videoSource"] = "test", ["audioSource"] = "test" },
        ["recording"] = new JsonObject { ["directory"] = Path.Combine(dir, "recordings") },
        ["stateDirectory"] = Path.Combine(dir, "state"),
        ["logsDirectory"] = Path.Combine(dir, "logs"),
        ["logging"] = new JsonObject { ["level"] = "Debug" },
    };

    public static string Write(TempDir dir, JsonObject config, string name = "edgeagent.json") =>
        dir.Write(name, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The repository root (where EdgeAgent.sln lives), found from the test binary's location.</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeAgent.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        }
    }
}
