using System.Globalization;

namespace EdgeAgent.Media.Send;

/// <summary>
/// Whether a UDP port on 127.0.0.1 has a listener, read from <c>/proc/net/udp</c> (the packaged unit leaves /proc's
/// non-process files visible for this and the host figures). Where it cannot be read, the port counts as not bound
/// and <see cref="WaitBoundAsync"/> waits out its timeout: slower, never wrong. (Probing by binding the port would race
/// the listener for it.)
/// </summary>
public static class UdpListener
{
    private const string ProcNetUdp = "/proc/net/udp";

    public static bool IsBound(int port)
    {
        try
        {
            // "  sl  local_address rem_address   st ..." with addresses as hex IP:PORT; 0100007F is 127.0.0.1 on little-endian,
            // 00000000 any address.
            var wanted = string.Create(CultureInfo.InvariantCulture, $":{port:X4}");
            return File.ReadLines(ProcNetUdp).Skip(1)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Any(f => f.Length > 2 && f[1].EndsWith(wanted, StringComparison.Ordinal) && (f[1].StartsWith("0100007F", StringComparison.Ordinal) || f[1].StartsWith("00000000", StringComparison.Ordinal)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Polls until the port is bound or <paramref name="timeout"/> passes; returns whether it is bound.</summary>
    public static async Task<bool> WaitBoundAsync(int port, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var until = time.GetUtcNow() + timeout;
        while (!IsBound(port))
        {
            if (time.GetUtcNow() >= until || ct.IsCancellationRequested) return false;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
        return true;
    }
}
