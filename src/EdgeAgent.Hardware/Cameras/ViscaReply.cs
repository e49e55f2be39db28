using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Cameras;

public enum ViscaReplyKind { Ack, Completion, Error }

/// <summary>VISCA error codes (the byte after 0x6y).</summary>
public enum ViscaError : byte
{
    MessageLength = 0x01,
    Syntax = 0x02,
    CommandBufferFull = 0x03,
    CommandCancelled = 0x04,
    NoSocket = 0x05,
    CommandNotExecutable = 0x41,
}

/// <summary>A camera's VISCA error reply, as a typed device error.</summary>
public sealed class ViscaException(ViscaError error)
    : DeviceException(DeviceErrorKind.Rejected, $"VISCA error: {Describe(error)}")
{
    public ViscaError Error { get; } = error;

    private static string Describe(ViscaError e) => e switch
    {
        ViscaError.MessageLength => "message length error",
        ViscaError.Syntax => "syntax error",
        ViscaError.CommandBufferFull => "command buffer full",
        ViscaError.CommandCancelled => "command cancelled",
        ViscaError.NoSocket => "no socket (to be cancelled)",
        ViscaError.CommandNotExecutable => "command not executable",
        _ => $"unknown error 0x{(byte)e:X2}",
    };
}

/// <summary>
/// A VISCA reply payload: <c>y0 4z FF</c> (ACK), <c>y0 5z [data] FF</c> (completion, with data for inquiries),
/// <c>y0 6z ee FF</c> (error). y = 8 + camera address (9..F), z = socket.
/// </summary>
public readonly record struct ViscaReply(ViscaReplyKind Kind, int Socket, byte[] Data, ViscaError? Error)
{
    public static ViscaReply Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 3)
            throw new DeviceProtocolException($"VISCA reply of {payload.Length} bytes is too short");
        if (payload[^1] != 0xFF)
            throw new DeviceProtocolException("VISCA reply does not end with the FF terminator");
        var address = payload[0];
        if ((address & 0x0F) != 0 || address < 0x90)
            throw new DeviceProtocolException($"VISCA reply address byte 0x{address:X2} is not a camera reply (90..F0)");
        for (var i = 1; i < payload.Length - 1; i++)
            if (payload[i] == 0xFF)
                throw new DeviceProtocolException("VISCA reply has FF before its end");
        var kind = payload[1] & 0xF0;
        var socket = payload[1] & 0x0F;
        switch (kind)
        {
            case 0x40 when payload.Length == 3:
                return new ViscaReply(ViscaReplyKind.Ack, socket, [], null);
            case 0x50:
                return new ViscaReply(ViscaReplyKind.Completion, socket, payload[2..^1].ToArray(), null);
            case 0x60 when payload.Length == 4:
                var code = payload[2];
                if (!Enum.IsDefined(typeof(ViscaError), code))
                    throw new DeviceProtocolException($"unknown VISCA error code 0x{code:X2}");
                return new ViscaReply(ViscaReplyKind.Error, socket, [], (ViscaError)code);
            default:
                throw new DeviceProtocolException($"VISCA reply type 0x{payload[1]:X2} with {payload.Length} bytes is not ACK, completion or error");
        }
    }

    /// <summary>Reads n 4-bit nibbles (each byte 0x00..0x0F) as an unsigned value.</summary>
    public static int Nibbles(ReadOnlySpan<byte> data, int offset, int count)
    {
        if (data.Length < offset + count)
            throw new DeviceProtocolException($"VISCA inquiry data has {data.Length} bytes, expected at least {offset + count}");
        var value = 0;
        for (var i = 0; i < count; i++)
        {
            var b = data[offset + i];
            if (b > 0x0F) throw new DeviceProtocolException($"VISCA inquiry byte 0x{b:X2} is not a nibble");
            value = (value << 4) | b;
        }
        return value;
    }

    /// <summary>Writes a value as n nibbles.</summary>
    public static void WriteNibbles(Span<byte> into, int value, int count)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            into[i] = (byte)(value & 0x0F);
            value >>= 4;
        }
    }
}
