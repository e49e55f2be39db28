using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EdgeAgent.Compliance;
using EdgeAgent.Compliance.Probes;
using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Hardware.Audio;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Simulators.Network;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Compliance;

/// <summary>Each probe against real things on this machine: the simulators, ffprobe on the test source, test tones, a real iperf3 server, an SNTP responder.</summary>
public sealed class ComplianceProbeTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly SimulatedClassroom _room = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _room.DisposeAsync();
        _dir.Dispose();
    }

    private AgentOptions Options(Action<JsonObject>? edit = null)
    {
        var config = TestConfig.Minimal(_dir.Path);
        config["devices"] = _room.Devices(timeoutMs: 500);
        edit?.Invoke(config);
        var loaded = ConfigLoader.Parse(config.ToJsonString());
        Assert.True(loaded.Ok, string.Join("; ", loaded.Errors));
        return loaded.Options!;
    }

    private static string Verdict(string rule, string role, Measurement m) =>
        RuleEvaluator.Evaluate(CompliancePolicy.Default.Rules.Single(r => r.Id == rule), role, m).Verdict;

    private static Measurement Of(IReadOnlyList<Measurement> list, string metric) => list.Single(m => m.Metric == metric);

    [Fact]
    public async Task A_room_that_plays_a_partner_needs_its_echo_canceller_on()
    {
        var twoWay = Options(c => c["stream"]!["partnerUrl"] = "srt://127.0.0.1:9000?streamid={partnerSchool}.{partnerRoom}");
        await using var devices = new DeviceRegistry(twoWay, NullLoggerFactory.Instance, TimeProvider.System);
        var probe = new EchoCancellerProbe(twoWay, devices);

        var off = Of(await probe.MeasureAsync(CancellationToken.None), EchoCancellerProbe.Metric);
        Assert.Equal("off", off.Word);
        Assert.Equal("mic1 AEC off", off.Evidence);
        Assert.Equal("fail", Verdict("AUD-AEC", "receiving", off));

        await devices.OfType<IMicArray>().Single().Driver.SetEchoCancellationAsync(true, CancellationToken.None);
        var on = Of(await probe.MeasureAsync(CancellationToken.None), EchoCancellerProbe.Metric);
        Assert.Equal("pass", Verdict("AUD-AEC", "receiving", on));

        _room.Mic.HasEchoCanceller = false; // an array that cannot say
        var unknown = Of(await probe.MeasureAsync(CancellationToken.None), EchoCancellerProbe.Metric);
        Assert.False(unknown.IsKnown);
        Assert.Equal("unknown", Verdict("AUD-AEC", "receiving", unknown));

        // A room that plays no partner has no far-end voice to cancel.
        var oneWay = Options();
        var notNeeded = Of(await new EchoCancellerProbe(oneWay, devices).MeasureAsync(CancellationToken.None), EchoCancellerProbe.Metric);
        Assert.Equal("not-needed", notNeeded.Word);
        Assert.Equal("pass", Verdict("AUD-AEC", "main", notNeeded));
    }

    [Fact]
    public async Task Devices_count_what_answers_and_the_display_reports_its_errors()
    {
        await using var devices = new DeviceRegistry(Options(), NullLoggerFactory.Instance, TimeProvider.System);
        var probe = new DeviceProbe(devices);

        var all = await probe.MeasureAsync(CancellationToken.None);
        Assert.Equal(2, Of(all, "cameras.online").Number);
        Assert.Equal(1, Of(all, "microphones.online").Number);
        Assert.Equal("ok", Of(all, "display.status").Word);
        Assert.Equal("pass", Verdict("CAM-COUNT", "main", Of(all, "cameras.online")));
        Assert.Equal("pass", Verdict("DSP-ON", "main", Of(all, "display.status")));

        _room.Camera2.Faults.Set(Fault.NoReply);
        _room.Display.ErrorStatus = "010000"; // lamp warning
        var degraded = await probe.MeasureAsync(CancellationToken.None);
        Assert.Equal(1, Of(degraded, "cameras.online").Number);
        Assert.Contains("cam2 not answering", Of(degraded, "cameras.online").Evidence);
        Assert.Equal("fail", Verdict("CAM-COUNT", "main", Of(degraded, "cameras.online")));
        Assert.Equal("warning", Of(degraded, "display.status").Word);
        Assert.Equal("warn", Verdict("DSP-ON", "main", Of(degraded, "display.status")));

        await _room.Display.DisposeAsync();
        var gone = await probe.MeasureAsync(CancellationToken.None);
        Assert.Equal("unreachable", Of(gone, "display.status").Word);
        Assert.Equal("fail", Verdict("DSP-ON", "main", Of(gone, "display.status")));
    }

    [Theory]
    [InlineData(1280, 720, "main", "fail")]
    [InlineData(1280, 720, "receiving", "warn")]
    [InlineData(1920, 1080, "main", "pass")]
    public async Task Ffprobe_reads_the_test_source_resolution_and_rate(int width, int height, string role, string verdict)
    {
        var stream = new StreamOptions { VideoSource = VideoSource.Test, Width = width, Height = height, Fps = 25, Encoder = EncoderChoice.Libx264 };
        var found = await new VideoSourceProbe(stream).MeasureAsync(CancellationToken.None);
        Assert.Equal(height, Of(found, "video.height").Number);
        Assert.Equal(25, Of(found, "video.fps").Number);
        Assert.Contains($"{width}x{height}", Of(found, "video.height").Evidence);
        Assert.Equal(verdict, Verdict("CAM-RES", role, Of(found, "video.height")));
        Assert.Equal("pass", Verdict("CAM-FPS", role, Of(found, "video.fps")));
        Assert.Equal("h264", Of(found, "encoder.codec").Word);
    }

    [Fact]
    public async Task An_unreachable_camera_stream_is_unknown_with_the_reason()
    {
        var stream = new StreamOptions { VideoSource = VideoSource.Rtsp, VideoInput = $"rtsp://127.0.0.1:{Machine.FreeTcpPort()}/cam", AudioSource = AudioSource.Rtsp, Encoder = EncoderChoice.Libx264 };
        var found = await new VideoSourceProbe(stream).MeasureAsync(CancellationToken.None);
        Assert.False(Of(found, "video.height").IsKnown);
        Assert.Contains("ffprobe could not open", Of(found, "video.height").UnknownReason);
        Assert.Equal("unknown", Verdict("CAM-RES", "main", Of(found, "video.height")));
    }

    [Theory]
    [InlineData(0.125, "pass")]    // -21 dBFS RMS, the test source's tone
    [InlineData(0.02, "warn")]     // -37 dBFS
    [InlineData(0.0, "fail")]      // silence
    [InlineData(1.2, "fail")]      // clipping
    public async Task The_microphone_level_is_judged_on_a_known_tone(double amplitude, string verdict)
    {
        var level = await new AlsaCaptureProbe().MeasureAsync(new AudioCaptureSource.TestTone(amplitude), TimeSpan.FromSeconds(1), CancellationToken.None);
        var m = AudioLevelProbe.Measure(level, "test tone", 1);
        Assert.Equal(verdict, Verdict("AUD-LEVEL", "main", m));
        if (amplitude == 0) Assert.Contains("silent", m.Evidence);
        if (amplitude > 1) Assert.Contains("clipping", m.Evidence);
    }

    [Fact]
    public async Task A_real_iperf3_server_on_loopback_measures_bandwidth_loss_and_round_trip()
    {
        var port = Machine.FreeTcpPort();
        using var server = StartIperf3(port);
        try
        {
            await Eventually.True(() => Machine.CanConnect(port), TimeSpan.FromSeconds(10), "the iperf3 server");
            var options = Options(c => c["compliance"] = new JsonObject { ["iperf3Host"] = "127.0.0.1", ["iperf3Port"] = port, ["iperf3Seconds"] = 1 });
            var found = await new NetworkProbe(options).MeasureAsync(CancellationToken.None);
            foreach (var metric in new[] { "net.up", "net.down", "net.rtt", "net.delay", "net.jitter", "net.loss" })
                Assert.True(Of(found, metric).IsKnown, $"{metric}: {Of(found, metric).UnknownReason}");
            Assert.Equal("pass", Verdict("NET-UP", "main", Of(found, "net.up")));
            Assert.Equal("pass", Verdict("NET-DOWN", "main", Of(found, "net.down")));
            Assert.Equal("pass", Verdict("NET-RTT", "main", Of(found, "net.delay")));
            Assert.Equal("pass", Verdict("NET-LOSS", "main", Of(found, "net.loss")));
            Assert.Contains("iperf3 TCP upload", Of(found, "net.up").Evidence);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_bad_network_changes_the_verdicts(bool impaired)
    {
        var port = Machine.FreeTcpPort();
        using var server = StartIperf3(port);
        try
        {
            await Eventually.True(() => Machine.CanConnect(port), TimeSpan.FromSeconds(10), "the iperf3 server");
            // 300 ms added each way (plus up to 10 ms jitter, order kept), 3 % of the client's datagrams lost, uploads
            // limited to 3 Mbit/s; or the same path clean.
            await using var relay = impaired
                ? new ImpairmentRelay(port, new Impairment(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(10), Loss: 0.03, RateMbps: 3))
                : new ImpairmentRelay(port, Impairment.None);
            var options = Options(c =>
            {
                c["role"] = "main";
                c["compliance"] = new JsonObject { ["iperf3Host"] = "127.0.0.1", ["iperf3Port"] = relay.Port, ["iperf3Seconds"] = 3, ["iperf3UdpMbps"] = 2 };
            });
            var found = await new NetworkProbe(options).MeasureAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));
            foreach (var metric in new[] { "net.up", "net.delay", "net.loss" })
                Assert.True(Of(found, metric).IsKnown, $"{metric}: {Of(found, metric).UnknownReason}");
            var verdicts = (Rtt: Verdict("NET-RTT", "main", Of(found, "net.delay")), Loss: Verdict("NET-LOSS", "main", Of(found, "net.loss")),
                Up: Verdict("NET-UP", "main", Of(found, "net.up")));
            var evidence = string.Join(" | ", found.Select(m => $"{m.Metric}={m.Display} {m.Evidence}"));
            Assert.True(impaired ? verdicts == ("warn", "warn", "fail") : verdicts == ("pass", "pass", "pass"), $"{verdicts}: {evidence}");
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Without_an_iperf3_endpoint_bandwidth_is_unknown_and_round_trip_comes_from_tcp_connects()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var options = Options(c => c["stream"]!["uplinkUrl"] = $"rtmp://127.0.0.1:{port}/live/room");
            var found = await new NetworkProbe(options).MeasureAsync(CancellationToken.None);
            Assert.Contains("no iperf3 endpoint", Of(found, "net.up").UnknownReason);
            Assert.True(Of(found, "net.rtt").IsKnown);
            Assert.Contains("TCP connects", Of(found, "net.rtt").Evidence);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Theory]
    [InlineData(0.2, "pass")]
    [InlineData(3, "warn")]
    [InlineData(-30, "fail")]
    public async Task Sntp_measures_the_clock_offset(double serverAheadSeconds, string verdict)
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)server.Client.LocalEndPoint!).Port;
        var answer = Task.Run(async () =>
        {
            var request = await server.ReceiveAsync();
            var reply = new byte[48];
            reply[0] = 0x24; // version 4, mode 4 (server)
            reply[1] = 2;    // stratum 2
            var now = DateTimeOffset.UtcNow.AddSeconds(serverAheadSeconds);
            request.Buffer.AsSpan(40, 8).CopyTo(reply.AsSpan(24)); // originate = client's transmit
            ClockProbe.WriteTimestamp(reply.AsSpan(32), now);
            ClockProbe.WriteTimestamp(reply.AsSpan(40), now);
            await server.SendAsync(reply, request.RemoteEndPoint);
        });
        var offset = await ClockProbe.SntpOffsetAsync($"127.0.0.1:{port}", TimeProvider.System, CancellationToken.None);
        await answer;
        Assert.InRange(offset.TotalSeconds, serverAheadSeconds - 0.2, serverAheadSeconds + 0.2);
        Assert.Equal(verdict, Verdict("SYS-CLOCK", "main", Measurement.Of("clock.offset", Math.Abs(offset.TotalSeconds), "sntp")));
    }

    [Fact]
    public async Task Recording_space_counts_lesson_days_from_the_bitrate_and_timetable()
    {
        var options = Options();
        options.Stream.VideoBitrateKbps = 2872;
        options.Stream.AudioBitrateKbps = 128; // 3000 kbit/s = 375,000 B/s
        var probe = new RecordingSpaceProbe(options, () => EdgeAgent.Lessons.LessonBook.Empty("x"), TimeProvider.System, _ => 375_000L * 14_400 * 3);
        var m = Of(await probe.MeasureAsync(CancellationToken.None), "recording.days"); // 6 × 40 min = 14,400 s a day without a timetable
        Assert.Equal(3, m.Number);
        Assert.Equal("pass", Verdict("REC-DISK", "main", m));
    }

    private static Process StartIperf3(int port)
    {
        var server = Process.Start(new ProcessStartInfo("iperf3", ["-s", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1"])
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        return server;
    }
}
