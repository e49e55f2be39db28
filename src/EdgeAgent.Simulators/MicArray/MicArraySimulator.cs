using System.Globalization;
using System.Net.Sockets;
using System.Text;
using EdgeAgent.Simulators.Common;

namespace EdgeAgent.Simulators.MicArray;

/// <summary>
/// A ceiling microphone array speaking Shure-style command strings on TCP 127.0.0.1, written from the MXA910/MXA920
/// command-string references (not from the driver): the device mute <c>DEVICE_AUDIO_MUTE</c> (GET, SET ON/OFF/TOGGLE),
/// channel mutes <c>nn AUDIO_MUTE</c> (0 = every channel), channel gains <c>nn AUDIO_GAIN_HI_RES</c> (0000..1400, also
/// INC/DEC), <c>GET 0 ALL</c> (a report of every parameter), <c>METER_RATE</c> (five digits) with <c>SAMPLE</c> lines,
/// <c>MODEL</c>, the acoustic echo canceller per channel <c>nn AEC</c> (ON/OFF, 0 = every channel; an array without
/// one, <see cref="HasEchoCanceller"/> false, answers <c>REP ERR</c>), and <c>REP ERR</c> for anything else. Channel numbers are written with two digits (01..), or with one
/// like the MXA910 (<see cref="TwoDigitChannels"/> false). A change is reported to every connected client
/// (unsolicited REP), as real arrays do.
/// </summary>
public sealed class MicArraySimulator : TcpSimulator
{
    private readonly Lock _gate = new();
    private readonly List<string> _received = [];
    private readonly List<NetworkStream> _streams = [];
    private readonly int[] _gains;
    private readonly bool[] _channelMutes;
    private readonly bool[] _aec;
    private readonly TimeProvider _time;

    public MicArraySimulator(int port = 0, int channels = 8, SimulatorLog? log = null, TimeProvider? time = null, string name = "mic")
        : base(port, log, name)
    {
        _gains = Enumerable.Repeat(1100, channels).ToArray();
        _channelMutes = new bool[channels];
        _aec = new bool[channels];
        Levels = Enumerable.Repeat(30, channels).ToArray();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The device mute (post-meter): what mutes the room.</summary>
    public bool Muted { get; private set; }
    public int Channels => _gains.Length;
    /// <summary>Two-digit channel numbers in reports (01..); false: one digit for 1..9 as the MXA910 writes them.</summary>
    public bool TwoDigitChannels { get; set; } = true;
    public string Model { get; set; } = "MXA910-SIM";
    /// <summary>Raw level per channel, 0..60 (dBFS + 60), as sent in SAMPLE lines.</summary>
    public int[] Levels { get; set; }
    public int MeterRateMs { get; private set; }
    public IReadOnlyList<string> Received { get { lock (_gate) return _received.ToList(); } }

    /// <summary>Gain of a channel in dB.</summary>
    public double GainDb(int channel) => (_gains[channel - 1] - 1100) / 10.0;

    public bool ChannelMuted(int channel) => _channelMutes[channel - 1];

    /// <summary>Whether this array has an acoustic echo canceller to switch (older arrays do not).</summary>
    public bool HasEchoCanceller { get; set; } = true;

    /// <summary>The echo canceller of a channel.</summary>
    public bool EchoCancellation(int channel) => _aec[channel - 1];

    /// <summary>Mutes or unmutes from the "front panel": every client gets an unsolicited REP.</summary>
    public Task PressMuteButtonAsync(bool mute)
    {
        Muted = mute;
        return BroadcastAsync(DeviceMuteReport());
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
            case Fault.Garbage: await SendAsync(stream, "< REP DEVICE_AUDIO_MUTE \u0007\u0008 >", ct); return true;
            case Fault.Slow: await Task.Delay(Faults.SlowDelay, ct); break;
            case Fault.Held: await Faults.WaitReleasedAsync(ct); break;
            case Fault.ErrorReply: await SendAsync(stream, "< REP ERR >", ct); return true;
        }

        var words = frame.Trim('<', '>', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (words)
        {
            case ["GET", "DEVICE_AUDIO_MUTE"]:
                await SendAsync(stream, DeviceMuteReport(), ct);
                break;
            case ["SET", "DEVICE_AUDIO_MUTE", var v] when v is "ON" or "OFF" or "TOGGLE":
                Muted = v == "TOGGLE" ? !Muted : v == "ON";
                await BroadcastAsync(DeviceMuteReport());
                break;
            case ["GET", var ch, "AUDIO_MUTE"] when ch.All(char.IsAsciiDigit) && ChannelOrAll(ch) is { } targets:
                foreach (var c in targets) await SendAsync(stream, ChannelMuteReport(c), ct);
                break;
            case ["SET", var ch, "AUDIO_MUTE", var v] when ChannelOrAll(ch) is { } targets && v is "ON" or "OFF" or "TOGGLE":
                foreach (var c in targets)
                {
                    _channelMutes[c - 1] = v == "TOGGLE" ? !_channelMutes[c - 1] : v == "ON";
                    await BroadcastAsync(ChannelMuteReport(c));
                }
                break;
            case ["GET", var ch, "AUDIO_GAIN_HI_RES"] when Channel(ch) is { } c:
                await SendAsync(stream, GainReport(c), ct);
                break;
            case ["SET", var ch, "AUDIO_GAIN_HI_RES", var g] when Channel(ch) is { } c && g.Length == 4 && int.TryParse(g, out var raw) && raw is >= 0 and <= 1400:
                _gains[c - 1] = raw;
                await BroadcastAsync(GainReport(c));
                break;
            case ["SET", var ch, "AUDIO_GAIN_HI_RES", "INC" or "DEC", var step] when Channel(ch) is { } c && step.Length is >= 1 and <= 3 && int.TryParse(step, out var tenths):
                _gains[c - 1] = Math.Clamp(_gains[c - 1] + (words[3] == "INC" ? tenths : -tenths), 0, 1400);
                await BroadcastAsync(GainReport(c));
                break;
            case ["GET", var ch, "AEC"] when HasEchoCanceller && ChannelOrAll(ch) is { } targets:
                foreach (var c in targets) await SendAsync(stream, AecReport(c), ct);
                break;
            case ["SET", var ch, "AEC", var v] when HasEchoCanceller && ChannelOrAll(ch) is { } targets && v is "ON" or "OFF":
                // The array applies the setting, then reports each channel (the first report is not sent before the last channel is set).
                foreach (var c in targets) _aec[c - 1] = v == "ON";
                foreach (var c in targets) await BroadcastAsync(AecReport(c));
                break;
            case ["GET", var ch, "ALL"] when ChannelOrAll(ch) is { } targets:
                // "Responds with individual Report strings for all parameters."
                foreach (var c in targets)
                {
                    await SendAsync(stream, GainReport(c), ct);
                    await SendAsync(stream, ChannelMuteReport(c), ct);
                    if (HasEchoCanceller) await SendAsync(stream, AecReport(c), ct);
                }
                if (ch.All(c => c == '0'))
                {
                    await SendAsync(stream, $"< REP MODEL {{{Model,-32}}} >", ct);
                    await SendAsync(stream, MeterRateReport(), ct);
                    await SendAsync(stream, DeviceMuteReport(), ct);
                }
                break;
            case ["GET", "MODEL"]:
                await SendAsync(stream, $"< REP MODEL {{{Model,-32}}} >", ct);
                break;
            case ["GET", "METER_RATE"]:
                await SendAsync(stream, MeterRateReport(), ct);
                break;
            case ["SET", "METER_RATE", var r] when r.Length <= 5 && r.All(char.IsAsciiDigit) && int.TryParse(r, out var ms) && (ms == 0 || ms is >= 100 and <= 99_999):
                MeterRateMs = ms;
                await SendAsync(stream, MeterRateReport(), ct);
                break;
            default:
                await SendAsync(stream, "< REP ERR >", ct);
                break;
        }
        return true;
    }

    /// <summary>A channel 1..N, written with one digit or two ("3", "03").</summary>
    private int? Channel(string word) => word.Length is 1 or 2 && word.All(char.IsAsciiDigit) && int.Parse(word, CultureInfo.InvariantCulture) is var c && c >= 1 && c <= Channels ? c : null;

    /// <summary>Channel 0 is every channel.</summary>
    private IReadOnlyList<int>? ChannelOrAll(string word) =>
        word is "0" or "00" ? Enumerable.Range(1, Channels).ToList() : Channel(word) is { } c ? [c] : null;

    private string ChannelText(int channel) => channel.ToString(TwoDigitChannels ? "D2" : "D1", CultureInfo.InvariantCulture);

    private string DeviceMuteReport() => $"< REP DEVICE_AUDIO_MUTE {(Muted ? "ON" : "OFF")} >";

    private string ChannelMuteReport(int channel) => $"< REP {ChannelText(channel)} AUDIO_MUTE {(_channelMutes[channel - 1] ? "ON" : "OFF")} >";

    private string GainReport(int channel) => $"< REP {ChannelText(channel)} AUDIO_GAIN_HI_RES {_gains[channel - 1]:D4} >";

    private string AecReport(int channel) => $"< REP {ChannelText(channel)} AEC {(_aec[channel - 1] ? "ON" : "OFF")} >";

    private string MeterRateReport() => $"< REP METER_RATE {MeterRateMs:D5} >";

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
