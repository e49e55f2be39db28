using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A real mosquitto broker on 127.0.0.1 and a free port, owned by the test: started, stopped and restarted on
/// the same port (for outage tests), with persistence in the test's directory so sessions survive a restart.
/// </summary>
public sealed class Mosquitto : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/mosquitto";
    private readonly string _dir;
    private readonly string _extra;
    private Process? _process;
    private readonly StringBuilder _log = new();

    private Mosquitto(string dir, int port, string extra)
    {
        _dir = dir;
        Port = port;
        _extra = extra;
    }

    public int Port { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static async Task<Mosquitto> StartAsync(string dir, string extraConfig = "")
    {
        Directory.CreateDirectory(dir);
        // Started as root, mosquitto drops to its own user: it must be able to write its persistence file here.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        var broker = new Mosquitto(dir, Machine.FreeTcpPort(), extraConfig);
        await broker.StartAsync();
        return broker;
    }

    /// <param name="listener">Replaces the plain listener (TLS tests give their own).</param>
    public async Task StartAsync()
    {
        var conf = Path.Combine(_dir, "mosquitto.conf");
        var listener = _extra.Contains("listener ", StringComparison.Ordinal) ? "" : $"listener {Port} 127.0.0.1\nallow_anonymous true\n";
        File.WriteAllText(conf, $"""
            {listener}{_extra.Replace("{port}", Port.ToString())}
            persistence true
            persistence_location {_dir}/
            max_queued_messages 0
            log_dest stderr
            log_type error
            log_type warning
            log_type notice
            """);
        var info = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(conf);
        _process = Process.Start(info)!;
        // A safety net for a fixture whose setup failed before anyone could dispose it: never leave a broker behind.
        var started = _process;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { if (!started.HasExited) started.Kill(); } catch (InvalidOperationException) { }
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}:\n{Log}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>Stops the broker (SIGTERM: it saves its persistence file) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { _process.Kill(); }
        }
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
    }
}
