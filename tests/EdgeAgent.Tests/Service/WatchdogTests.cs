using EdgeAgent.Service;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Service;

public class WatchdogTests
{
    /// <summary>Records what would go to systemd (the notify transport itself is tested with a real socket).</summary>
    private sealed class RecordingNotifier : ISystemdNotifier
    {
        private readonly List<string> _sent = [];
        public bool IsEnabled => true;
        public void Notify(ServiceState state) { lock (_sent) _sent.Add(state.ToString()); }
        public int Count(string message) { lock (_sent) return _sent.Count(m => m == message); }
    }

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private static async Task Step(FakeTimeProvider time, Watchdog watchdog)
    {
        var before = watchdog.Passes;
        time.Advance(Interval);
        await Eventually.True(() => watchdog.Passes == before + 1, TimeSpan.FromSeconds(10), "one watchdog pass");
    }

    [Fact]
    public async Task Pings_stop_while_a_main_loop_is_blocked_and_resume_when_it_beats_again()
    {
        var time = new FakeTimeProvider();
        var loops = new MainLoops(time);
        var lessons = loops.Register("lessons", TimeSpan.FromSeconds(20));
        var telemetry = loops.Register("telemetry", TimeSpan.FromSeconds(60));
        var notifier = new RecordingNotifier();
        using var watchdog = new Watchdog(notifier, loops, new WatchdogSettings(Interval), time, NullLogger<Watchdog>.Instance);
        await watchdog.StartAsync(CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            await Step(time, watchdog);
            lessons.Beat();
            telemetry.Beat();
        }
        Assert.Equal(3, notifier.Count("WATCHDOG=1"));

        // The lessons loop hangs (last beat at t=15 s). It is still within its 20 s limit until t=35 s.
        for (var i = 0; i < 4; i++)
        {
            await Step(time, watchdog);
            telemetry.Beat();
        }
        Assert.Equal(7, notifier.Count("WATCHDOG=1"));
        Assert.Empty(loops.Stalled());

        for (var i = 0; i < 3; i++)
        {
            await Step(time, watchdog);
            telemetry.Beat();
        }
        Assert.Equal(7, notifier.Count("WATCHDOG=1"));
        Assert.Equal("lessons", Assert.Single(loops.Stalled()).Name);

        lessons.Beat();
        await Step(time, watchdog);
        Assert.Equal(8, notifier.Count("WATCHDOG=1"));
        await watchdog.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Without_a_watchdog_request_nothing_is_sent()
    {
        var time = new FakeTimeProvider();
        var notifier = new RecordingNotifier();
        using var watchdog = new Watchdog(notifier, new MainLoops(time), new WatchdogSettings((TimeSpan?)null), time, NullLogger<Watchdog>.Instance);
        await watchdog.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, notifier.Count("WATCHDOG=1"));
        Assert.Equal(0, watchdog.Passes);
    }

    [Theory]
    [InlineData("30000000", null, 15.0)]
    [InlineData("1000000", "self", 0.5)]
    [InlineData("1000000", "1", null)]
    [InlineData(null, null, null)]
    [InlineData("garbage", null, null)]
    public void Interval_is_half_of_WATCHDOG_USEC_for_this_process_only(string? usec, string? pid, double? expectedSeconds)
    {
        var settings = WatchdogSettings.Parse(usec, pid == "self" ? Environment.ProcessId.ToString() : pid);
        Assert.Equal(expectedSeconds, settings.PingInterval?.TotalSeconds);
    }
}
