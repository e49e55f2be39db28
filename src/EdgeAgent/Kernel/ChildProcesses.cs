using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EdgeAgent.Kernel;

/// <summary>
/// Starts the agent's child processes (ffmpeg) so that they never outlive it. Each child is started through
/// util-linux <c>setpriv --pdeathsig TERM</c>, which asks the kernel to send SIGTERM to the child when its parent
/// dies, then execs the real program under the same process id. The kernel's "parent" is the <i>thread</i> that
/// forked, so every child is forked from one long-lived launcher thread rather than a pool thread that may retire.
/// Under systemd the unit's control group is a second net (KillMode=control-group).
/// </summary>
public static class ChildProcesses
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> Requests = new();
    private static readonly string? SetPriv = new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists);

    static ChildProcesses()
    {
        var thread = new Thread(Launch) { IsBackground = true, Name = "child-process-launcher" };
        thread.Start();
    }

    /// <summary>True when children are tied to the agent's life by the kernel (setpriv present).</summary>
    public static bool TiedToAgent => SetPriv is not null;

    /// <summary>Start info for <paramref name="program"/> with stdin, stdout and stderr redirected; no shell.</summary>
    public static ProcessStartInfo Info(string program, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(SetPriv ?? program)
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        if (SetPriv is not null)
        {
            info.ArgumentList.Add("--pdeathsig");
            info.ArgumentList.Add("TERM");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(program);
        }
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    public static Task<Process> StartAsync(ProcessStartInfo info)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((info, started));
        return started.Task;
    }

    /// <summary>Sends a signal; false when the process is already gone.</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    private static void Launch()
    {
        foreach (var (info, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start"));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // two ints: no marshalling for a source generator to add
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}
