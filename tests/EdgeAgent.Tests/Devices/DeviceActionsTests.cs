using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Devices;

public sealed class DeviceActionsTests : IAsyncLifetime
{
    private readonly SimulatedClassroom _room = new();
    private DeviceRegistry _registry = null!;
    private DeviceActions _actions = null!;

    public Task InitializeAsync()
    {
        var config = TestConfig.Minimal("/tmp/edgeagent-unit");
        config["devices"] = _room.Devices();
        var loaded = ConfigLoader.Parse(config.ToJsonString());
        Assert.True(loaded.Ok, string.Join("\n", loaded.Errors));
        _registry = new DeviceRegistry(loaded.Options!, NullLoggerFactory.Instance, TimeProvider.System);
        _actions = new DeviceActions(_registry, TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _room.DisposeAsync();
    }

    private async Task<JsonNode> Ok(string device, string action, params string[] args)
    {
        var r = await _actions.RunAsync(device, action, args.Select(a => (EdgeAgent.Contract.Commands.ActionArgument)a).ToList(), CancellationToken.None);
        Assert.True(r.Ok, $"{r.ErrorCode}: {r.Message}");
        return r.Result!;
    }

    private async Task<string> Error(string device, string action, params string[] args)
    {
        var r = await _actions.RunAsync(device, action, args.Select(a => (EdgeAgent.Contract.Commands.ActionArgument)a).ToList(), CancellationToken.None);
        Assert.False(r.Ok);
        Assert.False(string.IsNullOrEmpty(r.Message));
        return r.ErrorCode!;
    }

    [Fact]
    public async Task Camera_presets_by_name_move_the_simulated_camera()
    {
        await Ok("cam1", "move", "1200", "-40");
        await Ok("cam1", "preset-set", "teacher");
        await Ok("cam1", "home");
        Assert.Equal((0, 0), (_room.Camera1.Pan, _room.Camera1.Tilt));
        var recalled = await Ok("cam1", "preset-recall", "teacher");
        Assert.Equal(1, (int)recalled["preset"]!);
        Assert.Equal((1200, -40), (_room.Camera1.Pan, _room.Camera1.Tilt));
        var position = await Ok("cam1", "position");
        Assert.Equal(1200, (int)position["pan"]!);
        Assert.Equal([0x81, 0x01, 0x04, 0x3F, 0x02, 0x01, 0xFF], _room.Camera1.Received.Last(r => r.Type == 0x0100).Payload);
    }

    [Fact]
    public async Task Camera_drive_stop_zoom_power_and_status()
    {
        await Ok("cam2", "drive", "up-left", "5");
        Assert.Equal("driving 11", _room.Camera2.Motion);
        await Ok("cam2", "stop");
        Assert.Equal("stopped", _room.Camera2.Motion);
        await Ok("cam2", "zoom", "4096");
        Assert.Equal(4096, (int)(await Ok("cam2", "zoom"))["zoom"]!);
        await Ok("cam2", "power", "off");
        Assert.False(_room.Camera2.PowerOn);
        Assert.Equal("standby", (string)(await Ok("cam2", "status"))["power"]!);
    }

    [Fact]
    public async Task Display_power_input_mute_status_and_info()
    {
        await Ok("display1", "power", "on");
        await Ok("display1", "input", "32"); // retried through warm-up
        Assert.Equal("32", _room.Display.Input);
        await Ok("display1", "mute", "on");
        Assert.True(_room.Display.AvMuted);
        _room.Display.ErrorStatus = "010000";
        var status = await Ok("display1", "status");
        Assert.Equal("on", (string)status["power"]!);
        Assert.Equal("warning", (string)status["errors"]!["lamp"]!);
        var info = await Ok("display1", "info");
        Assert.Equal("SIM0001234", (string)info["serial"]!);
    }

    [Fact]
    public async Task Mic_mute_gain_and_levels()
    {
        await Ok("mic1", "mute", "on");
        Assert.True(_room.Mic.Muted);
        await Ok("mic1", "mute", "off");
        var gain = await Ok("mic1", "gain", "2", "-3.5");
        Assert.Equal(-3.5, (double)gain["gainDb"]!);
        _room.Mic.Levels = [48, 30, 30, 30, 30, 30, 30, 30];
        var levels = await Ok("mic1", "levels");
        Assert.Equal(-12.0, (double)levels["dbfs"]![0]!);
        Assert.Equal(0, _room.Mic.MeterRateMs); // metering left off again
    }

    [Theory]
    [InlineData("cam9", "position", "unknown_device")]
    [InlineData("cam1; rm -rf /", "position", "unknown_device")]
    [InlineData("cam1", "explode", "bad_args")]
    [InlineData("cam1", "preset-recall", "bad_args")]
    [InlineData("cam1", "preset-recall", "bad_args", "nosuchpreset")]
    [InlineData("cam1", "preset-recall", "bad_args", "128")]
    [InlineData("cam1", "zoom", "bad_args", "$(reboot)")]
    [InlineData("cam1", "drive", "bad_args", "sideways")]
    [InlineData("cam1", "drive", "bad_args", "1")]
    [InlineData("display1", "input", "bad_args", "31\nPOWR 0")]
    [InlineData("display1", "power", "bad_args", "-f")]
    [InlineData("mic1", "gain", "bad_args", "1", "NaN")]
    [InlineData("mic1", "gain", "bad_args", "99", "0")]
    public async Task Bad_requests_get_stable_codes_and_nothing_reaches_the_device(string device, string action, string code, params string[] args)
    {
        Assert.Equal(code, await Error(device, action, args));
        Assert.Empty(_room.Display.Received);
        Assert.Empty(_room.Mic.Received);
        Assert.DoesNotContain(_room.Camera1.Received, r => r.Type == 0x0100);
    }

    [Fact]
    public async Task Device_failures_become_device_error_or_timeout()
    {
        _room.Display.ErrorStatus = "000000";
        _room.Display.Faults.Set(Fault.ErrorReply, count: 2, errorCode: 4);
        Assert.Equal("device_error", await Error("display1", "power"));
        _room.Camera1.Faults.Set(Fault.NoReply);
        Assert.Equal("timeout", await Error("cam1", "position"));
    }
}
