using System.Text.Json.Nodes;
using EdgeAgent.Cli;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Cli;

/// <summary>The real executable, its real drivers, the simulated classroom.</summary>
public sealed class DeviceCommandTests : IAsyncLifetime
{
    private readonly SimulatedClassroom _room = new();
    private readonly TempDir _dir = new();
    private string _config = "";

    public Task InitializeAsync()
    {
        var config = TestConfig.Minimal(_dir.Path);
        config["devices"] = _room.Devices(timeoutMs: 4000); // generous: the machine runs other tests at once (1 s missed a reply under two busy cores)
        _config = TestConfig.Write(_dir, config);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _room.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<(int Code, JsonNode Json)> Device(params string[] args)
    {
        var (code, stdout, stderr) = await AgentProcess.RunAsync(["device", "--config", _config, .. args]);
        Assert.True(stdout.TrimStart().StartsWith('{'), $"stdout: {stdout}\nstderr: {stderr}");
        return (code, JsonNode.Parse(stdout)!);
    }

    [Fact]
    public async Task Preset_recall_by_name_prints_json_and_exits_0()
    {
        _room.Camera1.PowerOn = true;
        var (code, json) = await Device("cam1", "preset-set", "students");
        Assert.True(code == ExitCodes.Ok, json.ToJsonString());
        Assert.True((bool)json["ok"]!);
        Assert.Equal(3, (int)json["result"]!["preset"]!);
        Assert.True(_room.Camera1.HasPreset(3));
    }

    [Fact]
    public async Task Display_status_and_mic_levels()
    {
        var (code, status) = await Device("display1", "status");
        Assert.True(code == ExitCodes.Ok, status.ToJsonString());
        Assert.Equal("off", (string)status["result"]!["power"]!);
        var (code2, levels) = await Device("mic1", "levels");
        Assert.True(code2 == ExitCodes.Ok, levels.ToJsonString());
        Assert.Equal(8, levels["result"]!["dbfs"]!.AsArray().Count);
    }

    [Fact]
    public async Task Unknown_device_is_a_usage_error_with_a_stable_code()
    {
        var (code, json) = await Device("projector9", "status");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("unknown_device", (string)json["error"]!["code"]!);
    }

    [Fact]
    public async Task A_device_that_does_not_answer_exits_4_with_timeout()
    {
        _room.Camera2.Faults.Set(Fault.NoReply);
        var (code, json) = await Device("cam2", "position");
        Assert.Equal(ExitCodes.DeviceError, code);
        Assert.Equal("timeout", (string)json["error"]!["code"]!);
    }
}
