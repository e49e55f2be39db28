using System.Text;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Transport;

/// <summary>
/// Reads ASCII lines ending in a terminator from a device stream, with a length cap so that a device sending
/// endless bytes cannot grow memory. Everything it rejects is a <see cref="DeviceProtocolException"/>.
/// </summary>
public sealed class LineReader(Stream stream, byte terminator, int maxLength)
{
    private readonly byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    /// <summary>The next line without its terminator, or null when the device closed the connection.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        while (true)
        {
            for (; _start < _end; _start++)
            {
                var b = _buffer[_start];
                if (b == terminator)
                {
                    _start++;
                    return Encoding.ASCII.GetString(line.ToArray());
                }
                if (b is (byte)'\r' or (byte)'\n') continue; // line ends that are not the terminator (CRLF devices, frames followed by CRLF)
                if (b < 0x20 || b > 0x7E)
                    throw new DeviceProtocolException($"device sent a non-printable byte 0x{b:X2}");
                if (line.Count >= maxLength)
                    throw new DeviceProtocolException($"device sent a line longer than {maxLength} bytes");
                line.Add(b);
            }
            int n;
            try
            {
                n = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new DeviceException(DeviceErrorKind.Unreachable, $"connection lost: {e.Message}", e);
            }
            if (n == 0)
            {
                if (line.Count > 0) throw new DeviceProtocolException("device closed the connection in the middle of a line");
                return null;
            }
            _start = 0;
            _end = n;
        }
    }
}
