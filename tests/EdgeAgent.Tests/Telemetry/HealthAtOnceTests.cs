using System.Text.Json.Nodes;
using EdgeAgent.Devices;
using EdgeAgent.Hardware.Audio;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Telemetry;

/// <summary>
/// Health is reported by exception: a change goes out at once, however long the link has been running. The agent
/// runs in-process on a fake clock against a real mosquitto and the simulated classroom; after some heartbeats
/// (each a pass of the link's loop), a device change must be published without the clock moving. (The loop once
/// left each pass's wait on its wake-up semaphore pending: the waiters piled up, and the oldest, stale one took the
/// wake-up, so the change waited for the next tick; the pile was also the agent's memory leak.)
/// </summary>
public sealed class HealthAtOnceTests : IAsyncLifetime
{
    private const string Root = "edu/zj-test/test-school/room-1/edgeagent";
    private readonly TempDir _dir = new();
    private readonly SimulatedClassroom _room = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private Mosquitto _broker = null!;
    private InProcessAgent _agent = null!;
    private TestMqttClient _office = null!;

    public async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));
        var config = TestConfig.Minimal(_dir.Path);
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = _broker.Port, ["heartbeatSeconds"] = 1 };
        config["devices"] = _room.Devices(pollSeconds: 3600); // polled at start, then only when the test asks
        _agent = await InProcessAgent.StartAsync(config, services => services.AddSingleton<TimeProvider>(_time));
        await Eventually.True(() => _agent.Get<MqttLink>().IsReady, TimeSpan.FromSeconds(30), "the agent to connect");
        _office = await TestMqttClient.ConnectAsync(_broker.Port, "office");
        await _office.SubscribeAsync($"{Root}/health");
    }

    public async Task DisposeAsync()
    {
        await _office.DisposeAsync();
        await _agent.DisposeAsync();
        await _broker.DisposeAsync();
        await _room.DisposeAsync();
        _dir.Dispose();
    }

    private int HealthCount => _office.On($"{Root}/health").Count;

    private static string? MicDetail(MQTTnet.MqttApplicationMessage m) =>
        TestMqttClient.Json(m)["devices"]!.AsArray().FirstOrDefault(d => (string)d!["id"]! == "mic1")?["detail"]?.GetValue<string>();

    [Fact]
    public async Task A_device_change_is_published_at_once_after_many_passes_of_the_link()
    {
        var mic = _agent.Get<DeviceRegistry>().All.Single(d => d.Id == "mic1");
        await Eventually.True(() => _office.On($"{Root}/health").Any(m => MicDetail(m) is not null), TimeSpan.FromSeconds(30), "the first health document with the mic");

        // Five heartbeats, each a pass of the loop: the clock is moved a second at a time until each one arrives.
        for (var i = 0; i < 5; i++)
        {
            var before = HealthCount;
            await Eventually.True(() =>
            {
                if (HealthCount > before) return true;
                _time.Advance(TimeSpan.FromSeconds(1));
                return false;
            }, TimeSpan.FromSeconds(30), $"heartbeat {i + 1}");
        }

        // The mic changes and is polled (the technician's `health` command does this); the clock stands still.
        var seen = HealthCount;
        var published = MicDetail(_office.On($"{Root}/health")[^1]);
        var driver = (CommandStringMicArray)mic.Driver;
        await driver.SetMuteAsync(published?.StartsWith("muted", StringComparison.Ordinal) != true, CancellationToken.None);
        var polled = await _agent.Get<DeviceHealthPoller>().PollAllNowAsync(CancellationToken.None);
        var now = polled.Single(h => h.DeviceId == "mic1").Detail;
        Assert.True(now != published, $"the mic's detail should have changed from '{published}'");
        await Eventually.True(() => _office.On($"{Root}/health").Skip(seen).Any(m => MicDetail(m) == now),
            TimeSpan.FromSeconds(10), "the mic's change on health without the clock moving");
    }
}
