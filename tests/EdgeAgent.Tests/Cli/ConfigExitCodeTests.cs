using System.Text.Json.Nodes;
using EdgeAgent.Cli;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Cli;

/// <summary>A bad configuration stops the real executable with exit 78 (EX_CONFIG) and names the field.</summary>
public class ConfigExitCodeTests
{
    public static TheoryData<string, string> BadConfigs => new()
    {
        { "missing-room", "room: is required" },
        { "unknown-role", "role: 'teacher' is not one of main, receiving" },
        { "bad-device-port", "devices[0].port: 99999 is out of range 1..65535" },
        { "unreadable", "file: cannot read" },
        { "malformed", "json: malformed JSON at line" },
        { "unknown-key", "loging: unknown key (did you mean 'logging'?)" },
    };

    private static string WriteCase(TempDir dir, string name)
    {
        var config = TestConfig.Minimal(dir.Path);
        switch (name)
        {
            case "missing-room": config.Remove("room"); break;
            case "unknown-role": config["role"] = "teacher"; break;
            case "bad-device-port":
                config["devices"] = new JsonArray(new JsonObject { ["id"] = "cam1", ["kind"] = "camera", ["protocol"] = "visca-ip", ["host"] = "127.0.0.1", ["port"] = 99999 });
                break;
            case "unreadable": return dir.File("does-not-exist.json");
            case "malformed": return dir.Write("edgeagent.json", "{ \"region\": \"x\", ");
            case "unknown-key": config["loging"] = new JsonObject(); break;
        }
        return TestConfig.Write(dir, config);
    }

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task Run_exits_78_naming_the_field(string name, string expected)
    {
        using var dir = new TempDir();
        var (code, _, stderr) = await AgentProcess.RunAsync("run", "--config", WriteCase(dir, name));
        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains(expected, stderr);
    }

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task Validate_exits_78_naming_the_field(string name, string expected)
    {
        using var dir = new TempDir();
        var (code, _, stderr) = await AgentProcess.RunAsync("validate", "--config", WriteCase(dir, name));
        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public async Task Validate_accepts_the_sample_config()
    {
        var (code, stdout, stderr) = await AgentProcess.RunAsync("validate", "--config", Path.Combine(TestConfig.RepoRoot, "deploy/systemd/edgeagent.json"));
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("is valid", stdout);
    }

    [Fact]
    public async Task Run_exits_78_when_the_state_directory_is_not_writable()
    {
        using var dir = new TempDir();
        var config = TestConfig.Minimal(dir.Path);
        var blocker = dir.Write("not-a-dir", "a file where a directory should be");
        config["stateDirectory"] = Path.Combine(blocker, "state");
        var (code, _, stderr) = await AgentProcess.RunAsync("run", "--config", TestConfig.Write(dir, config));
        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains("stateDirectory: directory", stderr);
    }

    [Fact]
    public async Task Validate_checks_the_directories_run_needs_without_creating_them()
    {
        using var dir = new TempDir();
        var config = TestConfig.Minimal(dir.Path);
        var blocker = dir.Write("not-a-dir", "a file where a directory should be");
        config["stateDirectory"] = Path.Combine(blocker, "state");
        var (code, _, stderr) = await AgentProcess.RunAsync("validate", "--config", TestConfig.Write(dir, config));
        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains($"stateDirectory: '{blocker}' is a file, not a directory", stderr);

        var good = TestConfig.Minimal(dir.Path);
        var (ok, stdout, okErr) = await AgentProcess.RunAsync("validate", "--config", TestConfig.Write(dir, good, "good.json"));
        Assert.True(ok == ExitCodes.Ok, okErr);
        Assert.Contains($"stateDirectory {Path.Combine(dir.Path, "state")} (to be created)", stdout);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "state")), "validate created the state directory");
    }
}
