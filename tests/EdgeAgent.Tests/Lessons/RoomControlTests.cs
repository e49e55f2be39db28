using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Lessons;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Lessons;

/// <summary>The room's preparation against the simulated classroom: no device may hold a lesson up.</summary>
public sealed class RoomControlTests : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private readonly SimulatedClassroom _room = new();

    public async ValueTask DisposeAsync()
    {
        await _room.DisposeAsync();
        _dir.Dispose();
    }

    private AgentOptions Options()
    {
        var config = TestConfig.Minimal(_dir.Path);
        config["devices"] = _room.Devices();
        var loaded = ConfigLoader.Parse(config.ToJsonString());
        Assert.True(loaded.Ok, string.Join("; ", loaded.Errors));
        return loaded.Options!;
    }

    [Fact]
    public async Task A_display_that_stays_warming_is_reported_and_the_rest_is_prepared_within_the_step_limit()
    {
        _room.Display.WarmupTime = TimeSpan.FromMinutes(10); // answers ERR3 to the input selection all that time
        await using var devices = new DeviceRegistry(Options(), NullLoggerFactory.Instance, TimeProvider.System);
        // The devices answer in real time; the step limit runs on a clock the test moves, so a busy machine cannot
        // make a quick step look slow nor a slow one look quick.
        var limitClock = new FakeTimeProvider();
        var control = new RoomControl(devices, NullLogger<RoomControl>.Instance) { StepClock = limitClock };
        var finished = new System.Collections.Concurrent.ConcurrentDictionary<string, DeviceProblem?>();
        control.StepFinished += (device, problem) => finished[device] = problem;
        _room.Camera1.StorePreset(1, 100, 20, 300); // cam1's teacher view
        await _room.Mic.PressMuteButtonAsync(true); // muted before: the preparation unmutes it
        var prepare = control.PrepareAsync(RoomRole.Main, twoWay: false, CancellationToken.None);

        await Eventually.True(() => !_room.Mic.Muted && _room.Camera1.LastRecalledPreset == 1, TimeSpan.FromSeconds(30), "the camera and the mics prepared");
        // Their steps end when the drivers have the devices' answers (a busy machine may take a moment after the simulators
        // acted): only then is the limit passed, so that the display alone is still inside its step.
        await Eventually.True(() => finished.ContainsKey("cam1") && finished.ContainsKey("mic1"), TimeSpan.FromSeconds(30), "the camera's and the mics' steps ended");
        Assert.Null(finished["cam1"]);
        Assert.Null(finished["mic1"]);
        await Eventually.True(() => _room.Display.Received.Any(l => l.Contains("INPT ", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the display asked for its input");
        Assert.False(prepare.IsCompleted); // the display is still warming: the step waits, within its limit
        limitClock.Advance(control.StepLimit);

        var problems = await prepare.WaitAsync(TimeSpan.FromSeconds(30));
        var problem = Assert.Single(problems);
        Assert.Equal("display1", problem.Device);
        Assert.Equal($"did not finish within {control.StepLimit.TotalSeconds:0} s", problem.Problem);
    }
}
