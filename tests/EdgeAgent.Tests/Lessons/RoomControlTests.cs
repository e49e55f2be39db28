using System.Diagnostics;
using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Lessons;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

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
        var control = new RoomControl(devices, NullLogger<RoomControl>.Instance) { StepLimit = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        var problems = await control.PrepareAsync(RoomRole.Main, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        var problem = Assert.Single(problems, p => p.Device == "display1");
        Assert.Contains("did not finish within 2 s", problem.Problem);
        Assert.DoesNotContain(problems, p => p.Device != "display1" && p.Problem.Contains("did not finish", StringComparison.Ordinal));
        Assert.False(_room.Mic.Muted);
    }
}
