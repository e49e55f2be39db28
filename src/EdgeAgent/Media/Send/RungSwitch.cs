using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Media.Send;

/// <summary>
/// Puts one rung of the ladder on the uplink: every rung's local MPEG-TS feed arrives here (a UDP socket each, bound on
/// 127.0.0.1 before the encoder starts), and the selected rung's packets go on to the uplink's own feed. A change of rung
/// (<see cref="Select"/>) happens at a keyframe the two rungs share: the rungs are encoded from the same frames with
/// the same keyframe interval, so both have a keyframe with the same timestamp; the old rung is cut at its keyframe
/// packet and the new one starts at its own, whichever of the two arrives first waiting for the other. The receiver sees
/// the old rung's frames up to that timestamp and the new rung's from it: no gap but the few milliseconds between the
/// two keyframes' arrival, no frame twice. The sound changes rung on its own: the rungs' muxers may place an audio frame
/// on either side of the keyframe, so the old rung's sound goes on until the new rung has a frame that follows the last
/// one sent (one AAC frame per PES: <c>pes_payload_size=0</c>), and none is lost or sent twice. Continuity counters are
/// rewritten per PID, so the stream the receiver gets is one continuous stream. A switch that cannot complete within
/// <see cref="SwitchTimeout"/> (the new rung's feed stopped) is given up.
/// </summary>
/// <remarks>
/// Written here because nothing served does it: ffmpeg can switch inputs only by decoding and encoding again, and the
/// relays (srt-live-transmit, MediaMTX) carry one stream each. It reads four bytes of each TS packet and a PES header.
/// </remarks>
public sealed class RungSwitch : IDisposable
{
    public const int PacketSize = 188;
    private const int PacketsPerDatagram = 7;
    private const int UdpBuffer = 4 << 20;
    public static readonly TimeSpan SwitchTimeout = TimeSpan.FromSeconds(5);
    private const int MaxHeld = 8192; // TS packets, about 12 Mbit: several keyframe intervals of any rung

    private readonly UdpClient[] _inputs;
    private readonly Socket _output;
    private readonly Thread[] _threads;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly byte[] _outBuffer = new byte[PacketSize * PacketsPerDatagram];
    private readonly byte[] _cc = new byte[8192];
    private readonly bool[] _ccSeen = new bool[8192];
    private readonly List<byte[]> _heldOld = [], _heldNew = [];
    private volatile bool _stopped;
    private int _outCount;
    private int _videoPid = -1, _audioPid = -1;
    private int _audioFrom;
    private int? _audioNext;
    private long _lastAudioPts = -1;
    private DateTimeOffset _audioNextSince;
    private bool _audioAccepting;
    private readonly List<(long Pts, List<byte[]> Packets)> _audioWaiting = [];
    private int _current, _target;
    private long? _oldCutPts, _newStartPts;
    private DateTimeOffset _requestedAt;
    private long _forwarded, _switches;

    public RungSwitch(int rungs, int outputPort, int startRung, TimeProvider time)
    {
        _time = time;
        _current = _target = _audioFrom = Math.Clamp(startRung, 0, rungs - 1);
        _inputs = new UdpClient[rungs];
        for (var i = 0; i < rungs; i++)
        {
            _inputs[i] = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            _inputs[i].Client.ReceiveBufferSize = UdpBuffer;
        }
        InputPorts = _inputs.Select(u => ((IPEndPoint)u.Client.LocalEndPoint!).Port).ToList();
        _output = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _output.Connect(new IPEndPoint(IPAddress.Loopback, outputPort));
        OutputPort = outputPort;
        _threads = new Thread[rungs];
        for (var i = 0; i < rungs; i++)
        {
            var rung = i;
            _threads[i] = new Thread(() => Receive(rung)) { IsBackground = true, Name = $"rung-switch-{rung}", Priority = ThreadPriority.AboveNormal };
            _threads[i].Start();
        }
    }

    /// <summary>Where the encoder sends each rung (index = rung).</summary>
    public IReadOnlyList<int> InputPorts { get; }
    public int OutputPort { get; }

    /// <summary>The rung on the uplink now.</summary>
    public int Current { get { lock (_gate) return _current; } }

    /// <summary>The rung asked for (equal to <see cref="Current"/> once the switch is done).</summary>
    public int Target { get { lock (_gate) return _target; } }

    /// <summary>TS packets sent on; switches completed.</summary>
    public (long Packets, long Switches) Counts { get { lock (_gate) return (_forwarded, _switches); } }

    /// <summary>Raised (outside the lock) when a switch is done: from, to, the keyframe's timestamp (90 kHz).</summary>
    public event Action<int, int, long>? Switched;

    /// <summary>Asks for <paramref name="rung"/> from its next keyframe on; asking for the current rung cancels a pending switch.</summary>
    public void Select(int rung)
    {
        lock (_gate)
        {
            rung = Math.Clamp(rung, 0, _inputs.Length - 1);
            if (rung == _target) return;
            ReleaseHeldOld();
            _heldNew.Clear();
            _oldCutPts = _newStartPts = null;
            _target = rung;
            _requestedAt = _time.GetUtcNow();
        }
    }

    private void Receive(int rung)
    {
        var buffer = new byte[65536];
        var socket = _inputs[rung].Client;
        while (!_stopped)
        {
            int n;
            try
            {
                n = socket.Receive(buffer);
            }
            catch (SocketException) when (!_stopped)
            {
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            (int From, int To, long Pts)? switched = null;
            lock (_gate)
            {
                for (var off = 0; off + PacketSize <= n; off += PacketSize)
                {
                    if (buffer[off] != 0x47) continue; // not a TS packet: nothing a receiver could use
                    if (Packet(rung, buffer.AsSpan(off, PacketSize)) is { } done) switched = done;
                }
                Flush();
            }
            if (switched is { } s) Switched?.Invoke(s.From, s.To, s.Pts);
        }
    }

    /// <summary>One TS packet of <paramref name="rung"/>; returns the switch when this packet completed one.</summary>
    private (int, int, long)? Packet(int rung, ReadOnlySpan<byte> p)
    {
        var keyframePts = KeyframePts(p);
        if (_audioPid >= 0 && Pid(p) == _audioPid)
        {
            Audio(rung, p);
            return null;
        }
        if (_target == _current)
        {
            if (rung == _current) Forward(p);
            return null;
        }
        if (_time.GetUtcNow() - _requestedAt > SwitchTimeout)
        {
            // The new rung did not give a shared keyframe in time: stay where we are.
            ReleaseHeldOld();
            _heldNew.Clear();
            _oldCutPts = _newStartPts = null;
            _target = _current;
            if (rung == _current) Forward(p);
            return null;
        }
        if (rung == _current)
        {
            if (_oldCutPts is null && keyframePts is { } cut && (_newStartPts is null || cut >= _newStartPts)) _oldCutPts = cut;
            if (_oldCutPts is null)
            {
                Forward(p);
                return null;
            }
            Hold(_heldOld, p);
        }
        else if (rung == _target)
        {
            if (_newStartPts is null && keyframePts is { } start)
            {
                // A keyframe the old rung has already passed is too late: wait for the next one.
                if (_oldCutPts is { } oldCut && start < oldCut) return null;
                _newStartPts = start;
            }
            if (_newStartPts is null) return null;
            Hold(_heldNew, p);
        }
        else return null;

        if (_oldCutPts is not { } o || _newStartPts is not { } s) return null;
        if (s > o)
        {
            // The old rung's keyframe has no twin in the new one (not aligned): let the old rung run to the next.
            var held = _heldOld.ToList();
            _heldOld.Clear();
            _oldCutPts = null;
            foreach (var h in held)
            {
                if (_oldCutPts is null && KeyframePts(h) is { } k && k >= s) _oldCutPts = k;
                if (_oldCutPts is null) Forward(h);
                else _heldOld.Add(h);
            }
            if (_oldCutPts is null) return null;
        }
        // Both are at the same keyframe: the old rung's picture ends here, the new one's starts; its sound follows (Audio).
        var from = _current;
        _current = _target;
        _audioNext = _current;
        _audioNextSince = _time.GetUtcNow();
        _audioWaiting.Clear();
        _heldOld.Clear();
        foreach (var h in _heldNew) Forward(h);
        _heldNew.Clear();
        _oldCutPts = _newStartPts = null;
        _switches++;
        return (from, _current, s);
    }

    /// <summary>
    /// A packet of the sound. After a switch the old rung's sound goes on, and the new rung's frames wait here, until
    /// the old rung is about to send a frame the new rung already has: from that frame on, the new rung's sound goes
    /// out. (The rungs' muxers run some milliseconds apart: the new rung may be a frame ahead or behind; the change is
    /// made between two whole frames.) After a second without such a frame, what waits goes out as it is.
    /// </summary>
    private void Audio(int rung, ReadOnlySpan<byte> p)
    {
        var pesPts = (p[1] & 0x40) != 0 ? PesPts(p) : null;
        if (rung == _audioNext)
        {
            if (pesPts is { } start) _audioWaiting.Add((start, [p.ToArray()]));
            else if (_audioWaiting.Count is > 0 and < MaxHeld) _audioWaiting[^1].Packets.Add(p.ToArray());
            if (_time.GetUtcNow() - _audioNextSince > TimeSpan.FromSeconds(1)) HandOverAudio(null);
            return;
        }
        if (rung != _audioFrom) return;
        if (pesPts is { } pts)
        {
            if (_audioNext is not null && HandOverAudio(pts)) return;
            _audioAccepting = pts > _lastAudioPts;
            if (_audioAccepting) _lastAudioPts = pts;
        }
        if (_audioAccepting) Forward(p);
    }

    /// <summary>
    /// Gives the sound to the new rung at the old rung's frame <paramref name="at"/> if the new rung has it waiting
    /// (null: now, whatever waits). True when the new rung's sound goes out from here.
    /// </summary>
    private bool HandOverAudio(long? at)
    {
        _audioWaiting.RemoveAll(w => w.Pts <= _lastAudioPts);
        var from = at is { } pts ? _audioWaiting.FindIndex(w => Math.Abs(w.Pts - pts) < 900) : 0; // within 10 ms: the same frame
        if (from < 0) return false;
        foreach (var (framePts, packets) in _audioWaiting.Skip(from))
        {
            foreach (var packet in packets) Forward(packet);
            _lastAudioPts = framePts;
        }
        _audioWaiting.Clear();
        _audioFrom = _audioNext!.Value;
        _audioNext = null;
        _audioAccepting = true;
        return true;
    }

    private static int Pid(ReadOnlySpan<byte> p) => ((p[1] & 0x1F) << 8) | p[2];

    /// <summary>The PTS (90 kHz) of the PES that starts in this packet, or null.</summary>
    private static long? PesPts(ReadOnlySpan<byte> p)
    {
        var afc = (p[3] >> 4) & 3;
        var offset = 4 + ((afc & 2) != 0 ? 1 + p[4] : 0);
        if ((afc & 1) == 0 || offset + 14 > PacketSize) return null;
        var pes = p[offset..];
        if (pes[0] != 0 || pes[1] != 0 || pes[2] != 1 || (pes[7] & 0x80) == 0) return null;
        return ((long)(pes[9] >> 1) & 7) << 30 | (long)pes[10] << 22 | (long)(pes[11] >> 1) << 15 | (long)pes[12] << 7 | (long)(pes[13] >> 1);
    }

    private static void Hold(List<byte[]> held, ReadOnlySpan<byte> p)
    {
        if (held.Count < MaxHeld) held.Add(p.ToArray());
    }

    private void ReleaseHeldOld()
    {
        foreach (var h in _heldOld) Forward(h);
        _heldOld.Clear();
    }

    /// <summary>The PTS (90 kHz) of a video keyframe's first packet; null for any other packet. Learns the video and audio PIDs from the PES stream ids.</summary>
    private long? KeyframePts(ReadOnlySpan<byte> p)
    {
        if ((p[1] & 0x40) == 0) return null;
        var pid = Pid(p);
        var afc = (p[3] >> 4) & 3;
        var offset = 4;
        var randomAccess = false;
        if ((afc & 2) != 0)
        {
            var length = p[4];
            if (length > 0) randomAccess = (p[5] & 0x40) != 0;
            offset += 1 + length;
        }
        if ((afc & 1) == 0 || offset + 14 > PacketSize) return null;
        var pes = p[offset..];
        if (pes[0] != 0 || pes[1] != 0 || pes[2] != 1) return null;
        if (pes[3] is >= 0xC0 and <= 0xDF && _audioPid < 0 && pid != _videoPid)
        {
            _audioPid = pid;
            _lastAudioPts = -1;
        }
        if (pes[3] is not (>= 0xE0 and <= 0xEF)) return null;
        if (_videoPid < 0) _videoPid = pid;
        if (pid != _videoPid || !randomAccess) return null;
        return PesPts(p);
    }

    private void Forward(ReadOnlySpan<byte> p)
    {
        var slot = _outBuffer.AsSpan(_outCount * PacketSize, PacketSize);
        p.CopyTo(slot);
        var pid = ((slot[1] & 0x1F) << 8) | slot[2];
        var hasPayload = (slot[3] & 0x10) != 0;
        if (pid != 0x1FFF)
        {
            // One continuous counter per PID across rungs: a packet with payload advances it, one without repeats it.
            var cc = _ccSeen[pid] ? (hasPayload ? (_cc[pid] + 1) & 0x0F : _cc[pid]) : slot[3] & 0x0F;
            _ccSeen[pid] = true;
            _cc[pid] = (byte)cc;
            slot[3] = (byte)((slot[3] & 0xF0) | cc);
        }
        _forwarded++;
        if (++_outCount == PacketsPerDatagram) Flush();
    }

    private void Flush()
    {
        if (_outCount == 0) return;
        try
        {
            _output.Send(_outBuffer.AsSpan(0, _outCount * PacketSize));
        }
        catch (SocketException)
        {
            // The uplink is not listening at this moment (restarting): like a feed nobody reads.
        }
        _outCount = 0;
    }

    public void Dispose()
    {
        _stopped = true;
        foreach (var input in _inputs) input.Dispose();
        foreach (var t in _threads) t.Join(TimeSpan.FromSeconds(2));
        _output.Dispose();
    }
}
