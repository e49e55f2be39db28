using EdgeAgent.Compliance;
using EdgeAgent.Compliance.Probes;
using EdgeAgent.Configuration;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Compliance;

/// <summary>When the scheduled check runs: a check that falls due during a lesson stream runs when the stream ends.</summary>
public sealed class ComplianceScheduleTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private StreamService _streams = null!;

    /// <summary>Counts its runs (the probes themselves are tested against the real parts in ComplianceProbeTests).</summary>
    private sealed class CountingProbe : IComplianceProbe
    {
        private int _runs;
        public int Runs => Volatile.Read(ref _runs);
        public string Name => "counting";
        public IReadOnlyList<string> Metrics => ["cameras.online"];
        public Task<IReadOnlyList<Measurement>> MeasureAsync(CancellationToken ct)
        {
            Interlocked.Increment(ref _runs);
            return Task.FromResult<IReadOnlyList<Measurement>>([Measurement.Of("cameras.online", 2, "counted")]);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _streams.StopAsync(CancellationToken.None);
        _streams.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_check_due_during_a_lesson_stream_runs_as_soon_as_the_stream_ends()
    {
        var config = TestConfig.Minimal(_dir.Path);
        config["stream"] = new System.Text.Json.Nodes.JsonObject { ["videoSource"] = "test", ["audioSource"] = "test", ["width"] = 320, ["height"] = 180, ["videoBitrateKbps"] = 300 };
        var options = ConfigLoader.Parse(config.ToJsonString()).Options!;
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2022-11-14T10:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture));
        var database = new StateDatabase(options.StateDirectory, NullLogger<StateDatabase>.Instance);
        database.Migrate();
        var outbox = new Outbox(database, 1000, time, NullLogger<Outbox>.Instance);
        var topics = new RoomTopics(options.Address);
        var events = new EventSink(outbox, topics, time);
        _streams = new StreamService(options, TimeProvider.System, NullLoggerFactory.Instance, events, database);
        var probe = new CountingProbe();
        var service = new ComplianceService(new ComplianceChecker(options, [probe], time, NullLogger<ComplianceChecker>.Instance),
            new PolicySource(options, database, time, NullLogger<PolicySource>.Instance), new ComplianceStore(database, outbox, topics, events),
            _streams, time, NullLogger<ComplianceService>.Instance);

        var stream = await _streams.StartStreamAsync("lesson-1", CancellationToken.None);
        await stream.Running.WaitAsync(TimeSpan.FromSeconds(60));
        await service.StartAsync(CancellationToken.None);
        // The first check falls due while the stream runs. The clock is moved until the service has seen it: moved
        // before the service's timer exists, the timer would start from the moved clock and never come due.
        time.Advance(ComplianceService.FirstRun);
        await Eventually.True(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return service.DeferredForStream;
        }, TimeSpan.FromSeconds(30), "the check waiting for the stream");
        Assert.Equal(0, probe.Runs);

        await _streams.StopStreamAsync(); // the lesson ends: the check runs now, not minutes later
        // The report is stored after the probes ran: wait for it, not for the probe.
        await Eventually.True(() => service.Last is not null, TimeSpan.FromSeconds(30), "the deferred check's report");
        Assert.Equal(1, probe.Runs);
        Assert.Contains(outbox.Peek(100), m => m.Kind == OutboxKind.Compliance && m.Retain);
        await service.StopAsync(CancellationToken.None);
    }
}
