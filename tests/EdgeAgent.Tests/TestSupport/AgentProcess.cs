using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// The real <c>edgeagent</c> executable (copied beside the tests by the project reference), run as a child
/// process with captured output. Disposing kills it if it is still running.
/// </summary>
public sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private AgentProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The agent beside the tests, or the one <c>EDGEAGENT_UNDER_TEST</c> names (a packaged build, an older commit).</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("EDGEAGENT_UNDER_TEST") is { Length: > 0 } other ? other : Path.Combine(AppContext.BaseDirectory, "edgeagent");

    public static AgentProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null) => StartUnder([], args, environment);

    /// <summary>
    /// The agent started through a launcher that ends by exec-ing it (so the process is the agent's): e.g.
    /// <c>unshare … sh -c '… exec "$0" "$@"'</c>. The agent's path follows the launcher's words, then its own arguments.
    /// </summary>
    public static AgentProcess StartUnder(IReadOnlyList<string> launcher, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (launcher.Count > 0)
        {
            foreach (var w in launcher.Skip(1)) info.ArgumentList.Add(w);
            info.ArgumentList.Add(ExecutablePath);
        }
        foreach (var a in args) info.ArgumentList.Add(a);
        // Tests own these: never inherit a real supervisor's socket or watchdog.
        info.Environment.Remove("NOTIFY_SOCKET");
        info.Environment.Remove("WATCHDOG_USEC");
        info.Environment.Remove("WATCHDOG_PID");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        return new AgentProcess(Process.Start(info) ?? throw new InvalidOperationException("edgeagent did not start"));
    }

    /// <summary>Runs to completion and returns (exit code, stdout, stderr).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var agent = Start(args);
        var code = await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, agent.Stdout, agent.Stderr);
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"edgeagent did not exit within {timeout.TotalSeconds} s. stderr:\n{Stderr}");
        }
        _process.WaitForExit(); // flush the redirected streams
        return _process.ExitCode;
    }

    public void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public const int SIGTERM = 15;
    public const int SIGKILL = 9;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
