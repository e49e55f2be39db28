using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Contract.Payloads;

namespace EdgeAgent.Telemetry;

/// <summary>Reads host figures from Linux (/proc, /sys/class/thermal); a figure that cannot be read is 0 or null.</summary>
public sealed class HostVitalsReader(string recordingDirectory, string proc = "/proc", string thermal = "/sys/class/thermal")
{
    private (long Busy, long Total)? _lastCpu;

    public HostVitals Read()
    {
        return new HostVitals(
            Math.Round(CpuPercent(), 1),
            Math.Round(MemoryPercent(), 1),
            Math.Round(Process.GetCurrentProcess().WorkingSet64 / 1048576.0, 1),
            FreeBytes(),
            Temperature(),
            Uptime());
    }

    private double CpuPercent()
    {
        try
        {
            var fields = File.ReadLines(Path.Combine(proc, "stat")).First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
            var total = fields.Sum();
            var now = (Busy: total - idle, Total: total);
            var last = _lastCpu;
            _lastCpu = now;
            if (last is not { } l || now.Total <= l.Total) return 0;
            return 100.0 * (now.Busy - l.Busy) / (now.Total - l.Total);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or InvalidOperationException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private double MemoryPercent()
    {
        try
        {
            var info = File.ReadLines(Path.Combine(proc, "meminfo"))
                .Select(l => l.Split(':', 2))
                .Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => long.Parse(p[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
            return info.TryGetValue("MemTotal", out var total) && info.TryGetValue("MemAvailable", out var available) && total > 0
                ? 100.0 * (total - available) / total
                : 0;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }

    private long FreeBytes()
    {
        try
        {
            var dir = recordingDirectory;
            while (!Directory.Exists(dir) && Path.GetDirectoryName(dir) is { } parent) dir = parent;
            return new DriveInfo(dir).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }

    private double? Temperature()
    {
        try
        {
            if (!Directory.Exists(thermal)) return null;
            var readings = Directory.EnumerateDirectories(thermal, "thermal_zone*")
                .Select(z => Path.Combine(z, "temp"))
                .Where(File.Exists)
                .Select(f => long.TryParse(File.ReadAllText(f).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milli) ? milli / 1000.0 : (double?)null)
                .Where(t => t is > -40 and < 150)
                .ToList();
            return readings.Count == 0 ? null : Math.Round(readings.Max()!.Value, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private long Uptime()
    {
        try
        {
            var first = File.ReadAllText(Path.Combine(proc, "uptime")).Split(' ')[0];
            return (long)double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
