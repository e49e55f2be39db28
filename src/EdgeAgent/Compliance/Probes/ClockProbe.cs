using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeAgent.Kernel;

namespace EdgeAgent.Compliance.Probes;

/// <summary>
/// Whether the clock is synchronized and by how much it is off: systemd-timesyncd through <c>timedatectl</c>, or
/// chrony through <c>chronyc tracking</c>, where present; else one SNTP query (RFC 4330) to the configured server.
/// An unsynchronized clock is reported with an offset of +∞ (a fail on any threshold).
/// </summary>
public sealed class ClockProbe(string? sntpServer, TimeProvider time) : IComplianceProbe
{
    public string Name => "clock";
    public IReadOnlyList<string> Metrics => ["clock.offset"];

    public async Task<IReadOnlyList<Measurement>> MeasureAsync(CancellationToken ct)
    {
        var notes = new List<string>();
        if (await Chrony(ct).ConfigureAwait(false) is { } chrony) return [chrony];
        notes.Add("chronyc: not available");
        var timesyncd = await Timedatectl(ct).ConfigureAwait(false);
        // timesyncd says only whether; a configured SNTP server gives the offset itself.
        if (timesyncd is not null && sntpServer is null) return [timesyncd];
        if (timesyncd is null) notes.Add("timedatectl: not available");
        if (sntpServer is null) return [Measurement.Unknown("clock.offset", $"{string.Join("; ", notes)}; no compliance.sntpServer configured")];
        try
        {
            var offset = await SntpOffsetAsync(sntpServer, time, ct).ConfigureAwait(false);
            return [Measurement.Of("clock.offset", Math.Round(Math.Abs(offset.TotalSeconds), 3),
                string.Create(CultureInfo.InvariantCulture, $"SNTP {sntpServer}: local clock {(offset < TimeSpan.Zero ? "ahead" : "behind")} by {Math.Abs(offset.TotalMilliseconds):0} ms"))];
        }
        catch (Exception e) when (e is SocketException or TimeoutException or OperationCanceledException or InvalidDataException)
        {
            return [Measurement.Unknown("clock.offset", $"SNTP query to {sntpServer} failed: {e.Message}")];
        }
    }

    private static async Task<Measurement?> Chrony(CancellationToken ct)
    {
        try
        {
            var (code, output, _) = await ProgramRun.RunAsync("chronyc", ["-c", "tracking"], ct).ConfigureAwait(false);
            if (code != 0) return null;
            // CSV: ref id, ref name, stratum, ref time, system time offset (s), ...; leap status last.
            var f = output.Trim().Split(',');
            if (f.Length < 14 || !double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var offset)) return null;
            var leap = f[^1];
            return leap.Contains("Not synchronised", StringComparison.OrdinalIgnoreCase)
                ? Measurement.Of("clock.offset", double.PositiveInfinity, "chrony: not synchronised")
                : Measurement.Of("clock.offset", Math.Round(Math.Abs(offset), 3), $"chrony: offset {offset * 1000:0.0} ms from {f[1]}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static async Task<Measurement?> Timedatectl(CancellationToken ct)
    {
        try
        {
            var (code, output, _) = await ProgramRun.RunAsync("timedatectl", ["show", "-p", "NTPSynchronized", "--value"], ct).ConfigureAwait(false);
            if (code != 0) return null;
            // timesyncd says whether, not by how much: synchronized counts as within its accuracy (well under 1 s).
            return output.Trim() == "yes"
                ? Measurement.Of("clock.offset", 0, "timedatectl: NTPSynchronized=yes (offset not reported; within timesyncd's accuracy)")
                : Measurement.Of("clock.offset", double.PositiveInfinity, "timedatectl: NTPSynchronized=no");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>One SNTP exchange: offset = ((T2 − T1) + (T3 − T4)) / 2; positive when the local clock is behind.</summary>
    public static async Task<TimeSpan> SntpOffsetAsync(string server, TimeProvider time, CancellationToken ct)
    {
        var parts = server.Split(':');
        var port = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 123;
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Connect(parts[0], port);
        var request = new byte[48];
        request[0] = 0x23; // LI 0, version 4, mode 3 (client)
        var t1 = time.GetUtcNow();
        WriteTimestamp(request.AsSpan(40), t1);
        await udp.SendAsync(request, ct).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        UdpReceiveResult reply;
        try
        {
            reply = await udp.ReceiveAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException("no SNTP reply within 3 s");
        }
        var t4 = time.GetUtcNow();
        var b = reply.Buffer;
        if (b.Length < 48 || (b[0] & 0x07) != 4) throw new InvalidDataException("not an SNTP server reply");
        if ((b[0] >> 6) == 3 || b[1] == 0) throw new InvalidDataException("the server is not synchronized (kiss-o'-death or leap alarm)");
        var t2 = ReadTimestamp(b.AsSpan(32));
        var t3 = ReadTimestamp(b.AsSpan(40));
        return ((t2 - t1) + (t3 - t4)) / 2;
    }

    private static readonly DateTimeOffset Era = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void WriteTimestamp(Span<byte> to, DateTimeOffset t)
    {
        var since = t - Era;
        var seconds = (uint)since.TotalSeconds;
        var fraction = (uint)((since.Ticks % TimeSpan.TicksPerSecond) * (1L << 32) / TimeSpan.TicksPerSecond);
        BinaryPrimitives.WriteUInt32BigEndian(to, seconds);
        BinaryPrimitives.WriteUInt32BigEndian(to[4..], fraction);
    }

    public static DateTimeOffset ReadTimestamp(ReadOnlySpan<byte> from)
    {
        var seconds = BinaryPrimitives.ReadUInt32BigEndian(from);
        var fraction = BinaryPrimitives.ReadUInt32BigEndian(from[4..]);
        return Era + TimeSpan.FromSeconds(seconds) + TimeSpan.FromTicks((long)(fraction * (double)TimeSpan.TicksPerSecond / (1L << 32)));
    }
}
