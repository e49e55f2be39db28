using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>Free ports and processes for the stream tests (media analysis is <see cref="MediaProbe"/>).</summary>
public static class Machine
{
    public static int FreeUdpPort()
    {
        using var s = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.Client.LocalEndPoint!).Port;
    }

    public static int FreeTcpPort() => EdgeAgent.Simulators.Common.Loopback.FreeTcpPort();

    /// <summary>The processes whose parent is <paramref name="pid"/> (from /proc).</summary>
    public static IEnumerable<int> ChildrenOf(int pid) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit))
            .Where(n =>
            {
                try
                {
                    var stat = File.ReadAllText($"/proc/{n}/stat");
                    return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == pid.ToString(CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .Select(n => int.Parse(n!, CultureInfo.InvariantCulture));

    /// <summary>True when something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool CanConnect(int port) => EdgeAgent.Simulators.Common.Loopback.Accepts(port);

    /// <summary>Every process below <paramref name="pid"/>, children first then theirs.</summary>
    public static IEnumerable<int> DescendantsOf(int pid) => ChildrenOf(pid).SelectMany(c => DescendantsOf(c).Prepend(c));

    public static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    /// <summary>Waits until something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static Task WaitForTcpAsync(int port, TimeSpan limit) => Eventually.True(() => CanConnect(port), limit, $"a server on 127.0.0.1:{port}");

    /// <summary>Runs a program to its end; fails the test when it fails.</summary>
    public static async Task RunAsync(string program, IEnumerable<string> args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        await output;
        Assert.True(p.ExitCode == 0, $"{program}: {await error}");
    }

    /// <summary>Kills a process and everything it started, waits for it, and forgets it.</summary>
    public static void Kill(ref System.Diagnostics.Process? process) => EdgeAgent.Simulators.Common.Loopback.Kill(ref process);
}

/// <summary>
/// An SRT ingest server on 127.0.0.1: <c>srt-live-transmit</c> in listener mode writing what it receives to a file
/// (raw bytes, no probing, so the moment data arrives is seen exactly). Can be killed and started again.
/// </summary>
public sealed class SrtReceiver : IDisposable
{
    private Process? _process;
    private long _bytes;
    private Task? _pump;

    public SrtReceiver(int port, string file)
    {
        Port = port;
        File = file;
    }

    public int Port { get; }
    public string File { get; private set; }
    public long Bytes => Interlocked.Read(ref _bytes);
    public DateTimeOffset? FirstByteAt { get; private set; }

    public void Start(string? file = null)
    {
        File = file ?? File;
        _bytes = 0;
        FirstByteAt = null;
        var info = new ProcessStartInfo("srt-live-transmit") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-q", $"srt://127.0.0.1:{Port}?mode=listener", "file://con" }) info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        var process = _process;
        var target = File;
        _pump = Task.Run(async () =>
        {
            await using var output = System.IO.File.Create(target);
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await process.StandardOutput.BaseStream.ReadAsync(buffer)) > 0)
            {
                FirstByteAt ??= DateTimeOffset.UtcNow;
                await output.WriteAsync(buffer.AsMemory(0, n));
                await output.FlushAsync();
                Interlocked.Add(ref _bytes, n);
            }
        });
    }

    public void Kill()
    {
        if (_process is null) return;
        try { _process.Kill(); } catch (InvalidOperationException) { }
        _process.WaitForExit();
        _pump?.Wait(TimeSpan.FromSeconds(5));
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();
}
