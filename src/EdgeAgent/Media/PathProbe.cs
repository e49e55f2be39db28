using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeAgent.Configuration;

namespace EdgeAgent.Media;

/// <summary>
/// Round trips on the path a stream really uses. SRT runs over UDP, so a TCP connect to an SRT port measures nothing:
/// an SRT endpoint is asked with the first step of the SRT handshake (an INDUCTION request, which a listener answers
/// statelessly with its SYN cookie, draft-sharabayko-srt §4.3.1.1): one UDP round trip, no session set up, nothing
/// sent to the ingest's stream. RTMP and RTSP run over TCP: a TCP connect is their first round trip.
/// Written by hand (70 lines) because no served library sends a bare handshake and a helper process would put its own
/// start-up time into every sample.
/// </summary>
public static class PathProbe
{
    public sealed record Result(MediaEndpoint Target, string Method, int Attempts, IReadOnlyList<double> SamplesMs, string? LastError)
    {
        public int Failures => Attempts - SamplesMs.Count;
    }

    public static async Task<Result> MeasureAsync(MediaEndpoint target, int count, TimeSpan timeout, CancellationToken ct)
    {
        var samples = new List<double>();
        string? lastError = null;
        var method = target.IsUdp ? "SRT handshakes (UDP)" : "TCP connects";
        for (var i = 0; i < count; i++)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attempt.CancelAfter(timeout);
            try
            {
                samples.Add(target.IsUdp
                    ? await SrtInductionAsync(target.Host, target.Port, attempt.Token).ConfigureAwait(false)
                    : await TcpConnectAsync(target.Host, target.Port, attempt.Token).ConfigureAwait(false));
            }
            catch (Exception e) when (e is SocketException or IOException or InvalidDataException || e is OperationCanceledException && !ct.IsCancellationRequested)
            {
                lastError = e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : e.Message;
            }
        }
        return new Result(target, method, count, samples, lastError);
    }

    private static async Task<double> TcpConnectAsync(string host, int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        var clock = Stopwatch.StartNew();
        await client.ConnectAsync(host, port, ct).ConfigureAwait(false);
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>One SRT INDUCTION request and its answer; milliseconds between them.</summary>
    internal static async Task<double> SrtInductionAsync(string host, int port, CancellationToken ct)
    {
        var address = (await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false))
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First();
        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var remote = new IPEndPoint(address, port);
        var socketId = Random.Shared.Next(1, int.MaxValue);
        var request = InductionRequest(socketId, address);
        var reply = new byte[1500];
        var clock = Stopwatch.StartNew();
        await socket.SendToAsync(request, SocketFlags.None, remote, ct).ConfigureAwait(false);
        while (true)
        {
            var received = await socket.ReceiveFromAsync(reply, SocketFlags.None, new IPEndPoint(address.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0), ct)
                .ConfigureAwait(false);
            if (IsInductionResponse(reply.AsSpan(0, received.ReceivedBytes), socketId)) return clock.Elapsed.TotalMilliseconds;
        }
    }

    /// <summary>Header (control, type 0 = handshake, destination socket 0) and the handshake body of an HSv4 INDUCTION request.</summary>
    internal static byte[] InductionRequest(int socketId, IPAddress peer)
    {
        var p = new byte[16 + 48];
        var s = p.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(s[0..], 0x8000_0000); // control packet, type 0: handshake
        // type-specific info, timestamp, destination socket id: 0
        BinaryPrimitives.WriteUInt32BigEndian(s[16..], 4); // version 4 for the induction request
        BinaryPrimitives.WriteUInt16BigEndian(s[20..], 0); // encryption field
        BinaryPrimitives.WriteUInt16BigEndian(s[22..], 2); // extension field: UDT_DGRAM
        BinaryPrimitives.WriteUInt32BigEndian(s[24..], (uint)Random.Shared.Next(0, int.MaxValue)); // initial sequence number
        BinaryPrimitives.WriteUInt32BigEndian(s[28..], 1500); // MTU
        BinaryPrimitives.WriteUInt32BigEndian(s[32..], 8192); // flow window
        BinaryPrimitives.WriteUInt32BigEndian(s[36..], 1); // handshake type: INDUCTION
        BinaryPrimitives.WriteUInt32BigEndian(s[40..], (uint)socketId);
        BinaryPrimitives.WriteUInt32BigEndian(s[44..], 0); // SYN cookie
        // libsrt writes the peer address as 32-bit words in network order: an IPv4 address shows reversed.
        var ip = peer.AddressFamily == AddressFamily.InterNetwork ? peer.GetAddressBytes().Reverse().ToArray() : peer.GetAddressBytes();
        ip.CopyTo(s[48..]);
        return p;
    }

    /// <summary>An INDUCTION response to our socket: a handshake of version 5 with the SRT magic 0x4A17.</summary>
    internal static bool IsInductionResponse(ReadOnlySpan<byte> p, int socketId) =>
        p.Length >= 64
        && BinaryPrimitives.ReadUInt32BigEndian(p) == 0x8000_0000
        && BinaryPrimitives.ReadUInt32BigEndian(p[12..]) == (uint)socketId
        && BinaryPrimitives.ReadUInt32BigEndian(p[16..]) == 5
        && BinaryPrimitives.ReadUInt16BigEndian(p[22..]) == 0x4A17
        && BinaryPrimitives.ReadUInt32BigEndian(p[36..]) == 1;
}
