using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Bench;

/// <summary>What the benchmarks share: programs started with their output drained, stopped by signal, free ports, CPU and RSS.</summary>
internal static class BenchProcesses
{
    public static Process Start(string exe, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, KILL, ...) unless the process has already exited.</summary>
    public static void Signal(Process p, string signal)
    {
        if (!p.HasExited) Process.Start("kill", [$"-{signal}", p.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
    }

    public static int FreeTcpPort() => EdgeAgent.Simulators.Common.Loopback.FreeTcpPort();

    public static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 400; i++)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) { await Task.Delay(25); }
        }
        throw new TimeoutException($"nothing listens on {port}");
    }

    /// <summary>Resident set size of a process in bytes (<c>/proc/PID/status</c> VmRSS, or VmHWM for the peak).</summary>
    public static long Rss(int pid, string field = "VmRSS:")
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public static int FreeUdpPort()
    {
        using var s = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.Client.LocalEndPoint!).Port;
    }

    private const long ClockTicks = 100; // USER_HZ on Linux

    /// <summary>User + system CPU seconds a process has spent so far, and its resident set in MB (<c>/proc/PID/stat</c>); zeros once it is gone.</summary>
    public static (double CpuSeconds, double RssMb) Usage(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var cpu = (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / (double)ClockTicks;
            return (cpu, long.Parse(f[21], CultureInfo.InvariantCulture) * Environment.SystemPageSize / 1_048_576.0);
        }
        catch (IOException)
        {
            return (0, 0);
        }
    }
}

/// <summary>The benchmarks' result tables: rows, numbers as written in them, medians.</summary>
internal static class BenchTable
{
    public static string Row(string measure, string a, string b, string c) => $"| {measure} | {a} | {b} | {c} |";

    public static string F(double v, int digits = 2) => v.ToString("F" + digits, CultureInfo.InvariantCulture);

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
