using System.Globalization;
using System.Net.Sockets;
using System.Text;
using EdgeAgent.Simulators.Common;

namespace EdgeAgent.Simulators.MicArray;

/// <summary>
/// A ceiling microphone array speaking command strings on TCP 127.0.0.1: GET/SET of AUDIO_MUTE (channel 0) and
/// AUDIO_GAIN_HI_RES (channels 1..N), GET 0 ALL, SET METER_RATE with SAMPLE lines, REP ERR for anything else.
/// A change is reported to every connected client (unsolicited REP), as real arrays do.
/// </summary>
public sealed class MicArraySimulator : TcpSimulator
{
    private readonly Lock _gate = new();
    private readonly List<string> _received = [];
    private readonly List<NetworkStream> _streams = [];
    private readonly int[] _gains;
    private readonly TimeProvider _time;

    public MicArraySimulator(int port = 0, int channels = 8, SimulatorLog? log = null, TimeProvider? time = null, string name = "mic")
        : base(port, log, name)
    {
        _gains = Enumerable.Repeat(1100, channels).ToArray();
        Levels = Enumerable.Repeat(30, channels).ToArray();
        _time = time ?? TimeProvider.System;
    }

    public bool Muted { get; private set; }
    public int Channels => _gains.Length;
    /// <summary>Raw level per channel, 0..60 (dBFS + 60), as sent in SAMPLE lines.</summary>
    public int[] Levels { get; set; }
    public int MeterRateMs { get; private set; }
    public IReadOnlyList<string> Received { get { lock (_gate) return _received.ToList(); } }

    /// <summary>Gain of a channel in dB.</summary>
    public double GainDb(int channel) => (_gains[channel - 1] - 1100) / 10.0;

    /// <summary>Mutes or unmutes from the "front panel": every client gets an unsolicited REP.</summary>
    public Task PressMuteButtonAsync(bool mute)
    {
        Muted = mute;
        return BroadcastAsync($"< REP 0 AUDIO_MUTE {(mute ? "ON" : "OFF")} >");
    }

    protected override async Task HandleAsync(NetworkStream stream, CancellationToken ct)
    {
        lock (_gate) _streams.Add(stream);
        using var meter = new CancellationTokenSource();
        var metering = Task.Run(() => MeterLoopAsync(stream, CancellationTokenSource.CreateLinkedTokenSource(ct, meter.Token).Token));
        try
        {
            var buffer = new StringBuilder();
            var bytes = new byte[1024];
            while (!ct.IsCancellationRequested)
            {
                var n = await stream.ReadAsync(bytes, ct);
                if (n == 0) return;
                buffer.Append(Encoding.ASCII.GetString(bytes, 0, n));
                int end;
                while ((end = buffer.ToString().IndexOf('>')) >= 0)
                {
                    var frame = buffer.ToString(0, end + 1).Trim();
                    buffer.Remove(0, end + 1);
                    if (!await HandleFrameAsync(stream, frame, ct)) return;
                }
                if (buffer.Length > 1024) buffer.Clear();
            }
        }
        finally
        {
            meter.Cancel();
            lock (_gate) _streams.Remove(stream);
            try { await metering; } catch (OperationCanceledException) { }
        }
    }

    private async Task MeterLoopAsync(NetworkStream stream, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var rate = MeterRateMs;
            if (rate <= 0)
            {
                await Task.Delay(50, ct);
                continue;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(rate), _time, ct);
            if (MeterRateMs <= 0) continue;
            var levels = string.Join(' ', Levels.Select(l => Math.Clamp(Muted ? 0 : l, 0, 60).ToString("D3", CultureInfo.InvariantCulture)));
            await SendAsync(stream, $"< SAMPLE {levels} >", ct);
        }
    }

    /// <summary>Handles one frame; false closes the connection.</summary>
    private async Task<bool> HandleFrameAsync(NetworkStream stream, string frame, CancellationToken ct)
    {
        lock (_gate) _received.Add(frame);
        Log.Write(Name, frame);
        switch (Faults.Take())
        {
            case Fault.NoReply: return true;
            case Fault.DropConnection: return false;
            case Fault.Garbage: await SendAsync(stream, "< REP 0 AUDIO_MUTE \u0007\u0008 >", ct); return true;
            case Fault.Slow: await Task.Delay(Faults.SlowDelay, ct); break;
            case Fault.ErrorReply: await SendAsync(stream, "< REP ERR >", ct); return true;
        }

        var words = frame.Trim('<', '>', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (words)
        {
            case ["GET", "0", "AUDIO_MUTE"]:
                await SendAsync(stream, MuteReport(), ct);
                break;
            case ["SET", "0", "AUDIO_MUTE", var v] when v is "ON" or "OFF" or "TOGGLE":
                Muted = v == "TOGGLE" ? !Muted : v == "ON";
                await BroadcastAsync(MuteReport());
                break;
            case ["GET", var ch, "AUDIO_GAIN_HI_RES"] when Channel(ch) is { } c:
                await SendAsync(stream, GainReport(c), ct);
                break;
            case ["SET", var ch, "AUDIO_GAIN_HI_RES", var g] when Channel(ch) is { } c && int.TryParse(g, out var raw) && raw is >= 0 and <= 1400 && g.Length <= 4:
                _gains[c - 1] = raw;
                await BroadcastAsync(GainReport(c));
                break;
            case ["GET", "0", "ALL"]:
                for (var c = 1; c <= Channels; c++) await SendAsync(stream, GainReport(c), ct);
                await SendAsync(stream, MuteReport(), ct);
                break;
            case ["SET", "METER_RATE", var r] when int.TryParse(r, out var ms) && (ms == 0 || ms is >= 100 and <= 99_999):
                MeterRateMs = ms;
                await SendAsync(stream, $"< REP METER_RATE {ms} >", ct);
                break;
            default:
                await SendAsync(stream, "< REP ERR >", ct);
                break;
        }
        return true;
    }

    private int? Channel(string word) => int.TryParse(word, out var c) && c >= 1 && c <= Channels ? c : null;

    private string MuteReport() => $"< REP 0 AUDIO_MUTE {(Muted ? "ON" : "OFF")} >";

    private string GainReport(int channel) => $"< REP {channel} AUDIO_GAIN_HI_RES {_gains[channel - 1]:D4} >";

    private async Task BroadcastAsync(string line)
    {
        List<NetworkStream> streams;
        lock (_gate) streams = _streams.ToList();
        foreach (var s in streams)
        {
            try { await SendAsync(s, line, Stopping.Token); }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException) { }
        }
    }

    private readonly SemaphoreSlim _write = new(1, 1);

    private async Task SendAsync(NetworkStream stream, string line, CancellationToken ct)
    {
        await _write.WaitAsync(ct);
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), ct);
        }
        finally
        {
            _write.Release();
        }
    }
}
