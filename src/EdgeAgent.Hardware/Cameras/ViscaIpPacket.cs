using System.Buffers.Binary;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Cameras;

/// <summary>VISCA over IP payload types (the first two bytes of the 8-byte header).</summary>
public static class ViscaPayloadType
{
    public const ushort Command = 0x0100;
    public const ushort Inquiry = 0x0110;
    public const ushort Reply = 0x0111;
    public const ushort DeviceSetting = 0x0120;
    public const ushort ControlCommand = 0x0200;
    public const ushort ControlReply = 0x0201;

    public static bool IsKnown(ushort type) => type is Command or Inquiry or Reply or DeviceSetting or ControlCommand or ControlReply;
}

/// <summary>
/// One VISCA over IP datagram: header (payload type, payload length, sequence number; big-endian) and a
/// payload of 1..16 bytes.
/// </summary>
public readonly record struct ViscaIpPacket(ushort PayloadType, uint Sequence, byte[] Payload)
{
    public const int HeaderLength = 8;
    public const int MaxPayload = 16;

    public byte[] Encode()
    {
        var bytes = new byte[HeaderLength + Payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)Payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), Sequence);
        Payload.CopyTo(bytes, HeaderLength);
        return bytes;
    }

    /// <summary>Decodes a datagram; anything malformed is a <see cref="DeviceProtocolException"/>.</summary>
    public static ViscaIpPacket Decode(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < HeaderLength + 1)
            throw new DeviceProtocolException($"VISCA datagram of {datagram.Length} bytes is shorter than a header and payload");
        var type = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]);
        if (!ViscaPayloadType.IsKnown(type))
            throw new DeviceProtocolException($"unknown VISCA payload type 0x{type:X4}");
        if (length is 0 or > MaxPayload)
            throw new DeviceProtocolException($"VISCA payload length {length} is outside 1..{MaxPayload}");
        if (length != datagram.Length - HeaderLength)
            throw new DeviceProtocolException($"VISCA header says {length} payload bytes but {datagram.Length - HeaderLength} arrived");
        return new ViscaIpPacket(type, sequence, datagram[HeaderLength..].ToArray());
    }
}
