using System.Diagnostics;
using EdgeAgent.Kernel;

namespace EdgeAgent.Compliance.Probes;

/// <summary>Runs a measuring program (ffprobe, iperf3, chronyc, timedatectl) to completion: argument list, no shell, killed on cancel.</summary>
public static class ProbeProcess
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(string program, IEnumerable<string> args, CancellationToken ct)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync(ct);
        var error = p.StandardError.ReadToEndAsync(ct);
        try
        {
            await p.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        // What a measuring program prints may quote a URL with its credentials: it leaves here redacted.
        return (p.ExitCode, Redaction.Text(await output.ConfigureAwait(false)), Redaction.Text(await error.ConfigureAwait(false)));
    }
}
