using System.Net;
using System.Net.Sockets;
using EdgeAgent.Configuration;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Media;

/// <summary>
/// The switch between rungs with real ffmpeg feeds: one encoder makes three rungs of the same picture, the switch moves
/// the output down and up, and what came out is read back with ffprobe: one continuous stream, the size changing at
/// keyframes, no frame or audio packet missing or twice, every frame decodable.
/// </summary>
public sealed class RungSwitchTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Switching_rungs_at_shared_keyframes_leaves_no_gap_no_repeat_and_nothing_undecodable()
    {
        var stream = new StreamOptions
        {
            VideoSource = VideoSource.Test, AudioSource = AudioSource.Test, Width = 320, Height = 180, Fps = 25, VideoBitrateKbps = 400, AudioBitrateKbps = 96,
            GopSeconds = 1,
        };
        IReadOnlyList<Rung> rungs = [new(0, 320, 180, 400, 96), new(1, 320, 180, 200, 96), new(2, 160, 90, 100, 64)];
        var output = _dir.File("switched.ts");
        using var capture = new UdpCapture(output);
        var switches = new List<(int From, int To, long Pts)>();
        using var rungSwitch = new RungSwitch(rungs.Count, capture.Port, 0, TimeProvider.System);
        rungSwitch.Switched += (from, to, pts) => { lock (switches) switches.Add((from, to, pts)); };
        var rec = _dir.File("rec");
        Directory.CreateDirectory(rec);
        var plan = EncoderPipeline.Plan(stream, new RecordingOptions { Directory = rec, SegmentSeconds = 2 }, "switch-1", rungs, rungSwitch.InputPorts, null,
            EncoderChoice.Libx264);
        await using var encoder = await FfmpegRun.StartAsync("encoder", plan.EncoderArgs, TimeProvider.System);

        await Eventually.True(() => capture.Bytes > 50_000, TimeSpan.FromSeconds(30), "the top rung through the switch");
        foreach (var (to, count) in new[] { (2, 1), (1, 2), (0, 3) })
        {
            rungSwitch.Select(to);
            await Eventually.True(() => { lock (switches) return switches.Count == count; }, TimeSpan.FromSeconds(10), $"the switch to rung {to}");
            var bytes = capture.Bytes;
            await Eventually.True(() => capture.Bytes > bytes + 20_000, TimeSpan.FromSeconds(10), $"rung {to} flowing");
        }
        await encoder.StopAsync(TimeSpan.FromSeconds(5));
        capture.Dispose();

        var received = await ReceivedStream.ReadAsync(output);
        Assert.Empty(received.DecodeErrors);
        Assert.Equal(0, received.ContinuityErrors);
        Assert.Equal([(0, 2), (2, 1), (1, 0)], switches.Select(s => (s.From, s.To)));
        Assert.Equal(3, rungSwitch.Counts.Switches);

        // The picture: the size changes exactly at the switches' keyframes, and frames follow each other 40 ms apart.
        var video = received.Video;
        for (var i = 1; i < video.Count; i++)
        {
            Assert.True(video[i].Pts > video[i - 1].Pts, $"frame {i} at {video[i].Pts:0.000} does not follow {video[i - 1].Pts:0.000}");
            if (video[i].Width != video[i - 1].Width) Assert.True(video[i].Key, $"the size changed on a frame that is not a keyframe at {video[i].Pts:0.000}");
        }
        Assert.True(ReceivedStream.LongestGap(video.Select(f => f.Pts).ToList()) < 0.041 * 2, "a gap in the picture");
        var sizes = video.Select(f => f.Width).Aggregate(new List<int>(), (l, w) => { if (l.Count == 0 || l[^1] != w) l.Add(w); return l; });
        Assert.Equal([320, 160, 320], sizes);
        foreach (var (_, _, pts) in switches)
            Assert.Contains(video, f => f.Key && Math.Abs(f.Pts - pts / 90000.0) < 0.001);

        // Each picture in a PES of its own that says its length (the receiving player hands it on at its last byte).
        var (pes, withoutLength, mismatched) = ReceivedStream.VideoPesLengths(output);
        Assert.Equal((0, 0), (withoutLength, mismatched));
        Assert.InRange(pes, video.Count - 1, video.Count);

        // The sound: one AAC frame (1024 samples at 48 kHz, 21.3 ms) after another, across every switch.
        var audio = received.AudioPts;
        for (var i = 1; i < audio.Count; i++) Assert.True(audio[i] > audio[i - 1], $"audio packet {i} repeats or goes back");
        var gaps = audio.Zip(audio.Skip(1), (x, y) => (x, y)).Where(p => p.y - p.x > 0.0214 * 1.5).ToList();
        Assert.True(gaps.Count == 0, $"gaps in the sound: {string.Join(", ", gaps.Select(g => $"{g.x:0.000}-{g.y:0.000}"))}; switches at {string.Join(", ", switches.Select(s => $"{s.Pts / 90000.0:0.000} ({s.From}→{s.To})"))}");
    }

    /// <summary>Writes every datagram that arrives on a free loopback port to a file.</summary>
    private sealed class UdpCapture : IDisposable
    {
        private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly FileStream _file;
        private readonly Thread _thread;
        private long _bytes;
        private volatile bool _stopped;

        public UdpCapture(string path)
        {
            _file = File.Create(path);
            _socket.Client.ReceiveBufferSize = 4 << 20;
            _socket.Client.ReceiveTimeout = 200;
            Port = ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;
            _thread = new Thread(Run) { IsBackground = true };
            _thread.Start();
        }

        public int Port { get; }
        public long Bytes => Interlocked.Read(ref _bytes);

        private void Run()
        {
            var buffer = new byte[65536];
            while (!_stopped)
            {
                try
                {
                    var n = _socket.Client.Receive(buffer);
                    lock (_file) _file.Write(buffer, 0, n);
                    Interlocked.Add(ref _bytes, n);
                }
                catch (SocketException)
                {
                }
            }
        }

        public void Dispose()
        {
            if (_stopped) return;
            _stopped = true;
            _thread.Join();
            _socket.Dispose();
            lock (_file) _file.Dispose();
        }
    }
}
