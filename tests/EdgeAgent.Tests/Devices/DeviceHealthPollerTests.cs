using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Service;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Devices;

/// <summary>Real drivers against the simulators; the poll schedule runs on a fake clock the test advances.</summary>
public sealed class DeviceHealthPollerTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly SimulatedClassroom _room = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T08:00:00+08:00"));
    private readonly List<(DeviceHealth? Old, DeviceHealth New)> _changes = [];
    private DeviceRegistry _registry = null!;
    private DeviceHealthPoller _poller = null!;

    public async Task InitializeAsync()
    {
        var config = TestConfig.Minimal("/tmp/edgeagent-unit");
        config["devices"] = _room.Devices(timeoutMs: 300, pollSeconds: (int)Interval.TotalSeconds);
        var options = ConfigLoader.Parse(config.ToJsonString()).Options!;
        // Drivers on real time (their sockets time out for real); the schedule on the fake clock.
        _registry = new DeviceRegistry(options, NullLoggerFactory.Instance, TimeProvider.System);
        _poller = new DeviceHealthPoller(_registry, new MainLoops(_time), _time, NullLogger<DeviceHealthPoller>.Instance);
        _poller.HealthChanged += (o, n) => { lock (_changes) _changes.Add((o, n)); };
        await _poller.StartAsync(CancellationToken.None);
        await Eventually.True(() => _poller.Passes >= 1, TimeSpan.FromSeconds(20), "the first poll");
    }

    public async Task DisposeAsync()
    {
        await _poller.StopAsync(CancellationToken.None);
        _poller.Dispose();
        await _registry.DisposeAsync();
        await _room.DisposeAsync();
    }

    private DeviceHealth Health(string id) => _poller.Snapshot.Single(h => h.DeviceId == id);

    /// <summary>Advances the clock one second at a time through <paramref name="span"/>, letting each pass finish.</summary>
    private async Task Run(TimeSpan span)
    {
        for (var t = TimeSpan.Zero; t < span; t += TimeSpan.FromSeconds(1))
        {
            var before = _poller.Passes;
            _time.Advance(TimeSpan.FromSeconds(1));
            await Eventually.True(() => _poller.Passes > before, TimeSpan.FromSeconds(20), "a polling pass");
        }
    }

    [Fact]
    public void First_poll_reports_every_device()
    {
        Assert.All(_poller.Snapshot, h => Assert.Equal(DeviceState.Online, h.State));
        Assert.Equal(["cam1", "cam2", "display1", "mic1"], _changes.Select(c => c.New.DeviceId).Order());
        Assert.All(_changes, c => Assert.Null(c.Old));
    }

    [Fact]
    public async Task A_display_that_disappears_is_offline_within_two_intervals_and_back_when_it_returns()
    {
        await _room.Display.DisposeAsync();
        var gone = _time.GetUtcNow();
        await Run(2 * Interval);
        var offline = Health("display1");
        Assert.Equal(DeviceState.Offline, offline.State);
        Assert.True(offline.CheckedAt - gone <= 2 * Interval);
        Assert.Contains(_changes, c => c.New.DeviceId == "display1" && c.New.State == DeviceState.Offline);
        Assert.Equal(DeviceState.Online, Health("cam1").State);
    }

    [Fact]
    public async Task A_camera_that_stops_answering_goes_offline_and_comes_back()
    {
        _room.Camera1.Faults.Set(Fault.NoReply);
        await Run(2 * Interval);
        var offline = Health("cam1");
        Assert.Equal(DeviceState.Offline, offline.State);
        Assert.True(offline.Timeouts >= 1);
        var lastSeen = offline.LastSeen;

        _room.Camera1.Faults.Clear();
        await Run(2 * Interval);
        var back = Health("cam1");
        Assert.Equal(DeviceState.Online, back.State);
        Assert.True(back.LastSeen > lastSeen);
    }

    [Fact]
    public async Task Display_lamp_warning_is_degraded_and_only_changes_are_reported()
    {
        await Run(2 * Interval);
        var quiet = _changes.Count;
        Assert.Equal(4, quiet); // nothing changed after the first poll: nothing reported

        _room.Display.ErrorStatus = "010000";
        await Run(2 * Interval);
        var change = Assert.Single(_changes.Skip(quiet));
        Assert.Equal(DeviceState.Degraded, change.New.State);
        Assert.Contains("lamp warning", change.New.Detail);
    }

    [Fact]
    public async Task A_mic_array_sending_garbage_is_faulty()
    {
        _room.Mic.Faults.Set(Fault.Garbage);
        await Run(2 * Interval);
        Assert.Equal(DeviceState.Faulty, Health("mic1").State);
        Assert.True(Health("mic1").Errors >= 1);
    }
}
