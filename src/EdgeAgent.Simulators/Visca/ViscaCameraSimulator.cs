using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using EdgeAgent.Simulators.Common;

namespace EdgeAgent.Simulators.Visca;

/// <summary>
/// A PTZ camera speaking VISCA over IP on UDP 127.0.0.1. Keeps real state (power, pan/tilt, zoom, presets),
/// answers ACK then completion, refuses movement in standby (not executable), answers inquiries, and takes
/// faults from <see cref="Faults"/>. Written independently of the driver so that the two check each other.
/// </summary>
public sealed class ViscaCameraSimulator : IAsyncDisposable
{
    private readonly UdpClient _udp;
    private readonly SimulatorLog _log;
    private readonly string _name;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private readonly List<(ushort Type, uint Sequence, byte[] Payload)> _received = [];
    private readonly Dictionary<int, (short Pan, short Tilt, int Zoom)> _presets = [];

    public ViscaCameraSimulator(int port = 0, SimulatorLog? log = null, string name = "camera")
    {
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        _log = log ?? SimulatorLog.Silent();
        _name = name;
        Port = ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public FaultPlan Faults { get; } = new();
    /// <summary>Time between ACK and completion of a movement.</summary>
    public TimeSpan MoveTime { get; set; } = TimeSpan.FromMilliseconds(5);

    public bool PowerOn { get; set; } = true;
    /// <summary>Whether the camera has mains power: without, it answers nothing (<see cref="SetMains"/>).</summary>
    public bool Mains { get; private set; } = true;
    /// <summary>How many times the mains came back (a relay's power cycle).</summary>
    public int PowerCycles { get; private set; }

    /// <summary>
    /// Mains off or on, as a relay in the camera's supply does it. Off: silent, and a hang (<see cref="Fault.NoReply"/>) or
    /// any other fault ends with the power. On: the camera boots powered on at its home position, no preset recalled.
    /// </summary>
    public void SetMains(bool on)
    {
        lock (_gate)
        {
            if (on == Mains) return;
            Mains = on;
            if (on)
            {
                PowerOn = true;
                PowerCycles++;
            }
            else
            {
                Faults.Clear();
                (Pan, Tilt, Zoom, Motion, LastRecalledPreset) = ((short)0, (short)0, 0, "stopped", null);
            }
        }
        _log.Write(_name, on ? "mains on: booted" : "mains off");
    }
    public short Pan { get; private set; }
    public short Tilt { get; private set; }
    public int Zoom { get; private set; }
    public string Motion { get; private set; } = "stopped";

    /// <summary>Every datagram received, decoded from its header (raw payload kept for byte-exact checks).</summary>
    public IReadOnlyList<(ushort Type, uint Sequence, byte[] Payload)> Received { get { lock (_gate) return _received.ToList(); } }

    public bool HasPreset(int n) { lock (_gate) return _presets.ContainsKey(n); }

    /// <summary>The preset most recently recalled (null until one is).</summary>
    public int? LastRecalledPreset { get; private set; }

    /// <summary>Stores a preset as if an installer had set it on site.</summary>
    public void StorePreset(int n, short pan, short tilt, int zoom) { lock (_gate) _presets[n] = (pan, tilt, zoom); }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            _ = HandleAsync(datagram.Buffer, datagram.RemoteEndPoint);
        }
    }

    private async Task HandleAsync(byte[] data, IPEndPoint from)
    {
        try
        {
            if (data.Length < 9) { _log.Write(_name, $"short datagram {Convert.ToHexString(data)}"); return; }
            var type = BinaryPrimitives.ReadUInt16BigEndian(data);
            var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(2));
            var seq = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4));
            var payload = data[8..];
            lock (_gate) _received.Add((type, seq, payload));
            _log.Write(_name, $"{TypeName(type)} seq={seq} {Spaced(payload)}");
            if (length != payload.Length) return;
            if (!Mains) return;

            var fault = Faults.Take();
            switch (fault)
            {
                case Fault.NoReply:
                    return;
                case Fault.Garbage:
                    await SendRaw([0x01, 0x11, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x90, 0x42], from); // length says 3, 2 bytes follow
                    return;
                case Fault.Slow:
                    await Task.Delay(Faults.SlowDelay, _stop.Token);
                    break;
                case Fault.Held:
                    await Faults.WaitReleasedAsync(_stop.Token);
                    break;
                case Fault.ErrorReply:
                    await Reply(seq, [0x90, 0x60, (byte)Faults.ErrorCode, 0xFF], from);
                    return;
            }

            if (type == 0x0200)
            {
                if (payload is [0x01]) await Send(0x0201, seq, [0x01], from);
                else await Send(0x0201, seq, [0x0F, 0x02], from);
                return;
            }
            if (type == 0x0110) { await Inquiry(seq, payload, from); return; }
            if (type == 0x0100) { await Command(seq, payload, from); return; }
            await Send(0x0201, seq, [0x0F, 0x02], from);
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        catch (SocketException) { }
    }

    private async Task Inquiry(uint seq, byte[] p, IPEndPoint from)
    {
        byte[]? data = p switch
        {
            [0x81, 0x09, 0x04, 0x00, 0xFF] => [(byte)(PowerOn ? 0x02 : 0x03)],
            [0x81, 0x09, 0x06, 0x12, 0xFF] => [.. Nibbles((ushort)Pan), .. Nibbles((ushort)Tilt)],
            [0x81, 0x09, 0x04, 0x47, 0xFF] => Nibbles(Zoom),
            _ => null,
        };
        if (data is null) { await Reply(seq, [0x90, 0x60, 0x02, 0xFF], from); return; }
        await Reply(seq, [0x90, 0x50, .. data, 0xFF], from);
    }

    private async Task Command(uint seq, byte[] p, IPEndPoint from)
    {
        Action? apply = null;
        var moves = true;
        switch (p)
        {
            case [0x81, 0x01, 0x04, 0x00, 0x02, 0xFF]: apply = () => PowerOn = true; moves = false; break;
            case [0x81, 0x01, 0x04, 0x00, 0x03, 0xFF]: apply = () => PowerOn = false; moves = false; break;
            case [0x81, 0x01, 0x06, 0x01, >= 1 and <= 0x18, >= 1 and <= 0x17, var x, var y, 0xFF] when x is >= 1 and <= 3 && y is >= 1 and <= 3:
                apply = () => Motion = (x, y) == (3, 3) ? "stopped" : $"driving {x}{y}"; break;
            case [0x81, 0x01, 0x06, 0x02, _, _, _, _, _, _, _, _, _, _, 0xFF] when p[6..14].All(b => b <= 0x0F):
                apply = () => { Pan = (short)FromNibbles(p, 6); Tilt = (short)FromNibbles(p, 10); }; break;
            case [0x81, 0x01, 0x06, 0x04, 0xFF]: apply = () => { Pan = 0; Tilt = 0; }; break;
            case [0x81, 0x01, 0x04, 0x47, _, _, _, _, 0xFF] when p[4..8].All(b => b <= 0x0F):
                apply = () => Zoom = FromNibbles(p, 4); break;
            case [0x81, 0x01, 0x04, 0x3F, 0x01, <= 0x7F, 0xFF]:
                apply = () => { lock (_gate) _presets[p[5]] = (Pan, Tilt, Zoom); }; break;
            case [0x81, 0x01, 0x04, 0x3F, 0x02, <= 0x7F, 0xFF]:
                bool known;
                lock (_gate) known = _presets.ContainsKey(p[5]);
                if (!known && PowerOn) { await Reply(seq, [0x90, 0x41, 0xFF], from); await Reply(seq, [0x90, 0x61, 0x41, 0xFF], from); return; }
                apply = () => { lock (_gate) { (Pan, Tilt, Zoom) = _presets[p[5]]; LastRecalledPreset = p[5]; } }; break;
            default:
                await Reply(seq, [0x90, 0x60, 0x02, 0xFF], from);
                return;
        }
        if (moves && !PowerOn)
        {
            await Reply(seq, [0x90, 0x61, 0x41, 0xFF], from); // not executable in standby
            return;
        }
        await Reply(seq, [0x90, 0x41, 0xFF], from);
        if (moves && MoveTime > TimeSpan.Zero) await Task.Delay(MoveTime, _stop.Token);
        apply();
        await Reply(seq, [0x90, 0x51, 0xFF], from);
    }

    private Task Reply(uint seq, byte[] payload, IPEndPoint to) => Send(0x0111, seq, payload, to);

    private async Task Send(ushort type, uint seq, byte[] payload, IPEndPoint to)
    {
        var bytes = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, type);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), seq);
        payload.CopyTo(bytes, 8);
        await SendRaw(bytes, to);
    }

    private async Task SendRaw(byte[] bytes, IPEndPoint to) => await _udp.SendAsync(bytes, to, _stop.Token);

    private static byte[] Nibbles(int value) => [(byte)((value >> 12) & 0xF), (byte)((value >> 8) & 0xF), (byte)((value >> 4) & 0xF), (byte)(value & 0xF)];

    private static int FromNibbles(byte[] p, int offset) => (p[offset] << 12) | (p[offset + 1] << 8) | (p[offset + 2] << 4) | p[offset + 3];

    private static string TypeName(ushort type) => type switch
    {
        0x0100 => "command",
        0x0110 => "inquiry",
        0x0200 => "control",
        _ => $"type {type:X4}",
    };

    private static string Spaced(byte[] bytes) => string.Join(' ', bytes.Select(b => b.ToString("X2")));

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _udp.Dispose();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
