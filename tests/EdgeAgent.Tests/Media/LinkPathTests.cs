using EdgeAgent.Compliance;
using EdgeAgent.Compliance.Probes;
using EdgeAgent.Configuration;
using EdgeAgent.Media.Link;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Media;

/// <summary>
/// What the room measured of its path is where a lesson's SRT legs start from: the compliance check's network
/// figures are kept in the state database, and the next lesson takes its latency and its first rung from them.
/// </summary>
public sealed class LinkPathTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The network probe's figures as iperf3 and the round trips gave them (the probe itself is tested against a real iperf3).</summary>
    private sealed class MeasuredPath(double rtt, double loss, double up) : IComplianceProbe
    {
        public string Name => "network";
        public IReadOnlyList<string> Metrics => ["net.rtt", "net.loss", "net.up", "net.down"];
        public Task<IReadOnlyList<Measurement>> MeasureAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<Measurement>>(
            [Measurement.Of("net.rtt", rtt, "rtt"), Measurement.Of("net.loss", loss, "loss"),
                double.IsNaN(up) ? Measurement.Unknown("net.up", "the iperf3 server is busy") : Measurement.Of("net.up", up, "up"), Measurement.Unknown("net.down", "not run")]);
    }

    [Fact]
    public async Task A_compliance_check_leaves_the_path_that_sets_the_next_lessons_latency_and_first_rung()
    {
        var config = TestConfig.Minimal(_dir.Path);
        config["stream"] = new System.Text.Json.Nodes.JsonObject
        {
            ["videoSource"] = "test", ["audioSource"] = "test", ["width"] = 1280, ["height"] = 720, ["videoBitrateKbps"] = 2500, ["uplinkUrl"] = "srt://127.0.0.1:9000",
        };
        var options = ConfigLoader.Parse(config.ToJsonString()).Options!;
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero));
        var database = new StateDatabase(options.StateDirectory, NullLogger<StateDatabase>.Instance);
        database.Migrate();
        var paths = new LinkPaths(database);
        Assert.Null(paths.ForLatency());

        var checker = new ComplianceChecker(options, [new MeasuredPath(300, 3, 1.9)], time, NullLogger<ComplianceChecker>.Instance, paths);
        await checker.RunAsync(CompliancePolicy.Default, "test", CancellationToken.None);
        var path = paths.ForLatency()!;
        Assert.Equal((LinkPaths.Compliance, 300.0, 3.0, 1.9, (double?)null), (path.Source, path.RttMs!.Value, path.LossPercent!.Value, path.UpMbps!.Value, path.DownMbps));

        var rec = _dir.File("rec");
        Directory.CreateDirectory(rec);
        using var setup = StreamSetup.Create(options.Stream, new RecordingOptions { Directory = rec }, "lesson-1", EncoderChoice.Libx264, paths, time, _ => { });
        Assert.Equal(1200, setup.Link!.Latency.Ms);
        Assert.Equal(1, setup.Switch!.Current); // 1.9 Mbit/s up: the middle rung (1.46 with headers) with a fifth to spare
        Assert.Contains("compliance probe measured 1.9 Mbit/s up", setup.StartRungWhy);

        // A later check that could not measure the bandwidth (iperf3 busy with another room) keeps the one measured before.
        time.Advance(TimeSpan.FromHours(1));
        await new ComplianceChecker(options, [new MeasuredPath(310, 3.1, double.NaN)], time, NullLogger<ComplianceChecker>.Instance, paths)
            .RunAsync(CompliancePolicy.Default, "test", CancellationToken.None);
        Assert.Equal((310.0, 1.9), (paths.ForLatency()!.RttMs!.Value, paths.ForBandwidth()!.UpMbps!.Value));

        // A later lesson's own link is newer, and wins.
        paths.Save(new LinkPath(time.GetUtcNow().AddHours(1), LinkPaths.Lesson, 40, 0.2, 12, null));
        using var next = StreamSetup.Create(options.Stream, new RecordingOptions { Directory = rec }, "lesson-2", EncoderChoice.Libx264, paths, time, _ => { });
        Assert.Equal(120, next.Link!.Latency.Ms); // 40 ms × 3
        Assert.Equal(0, next.Switch!.Current);
    }
}
