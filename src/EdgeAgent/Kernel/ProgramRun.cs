using System.Diagnostics;

namespace EdgeAgent.Kernel;

/// <summary>
/// Runs a program to completion (ffprobe, ffmpeg, iperf3, chronyc, timedatectl, rclone): argument list, no shell, its
/// output read whole, killed with its children on cancel.
/// </summary>
public static class ProgramRun
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(string program, IEnumerable<string> args, CancellationToken ct,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        using var p = Process.Start(info) ?? throw new IOException($"cannot start {program}");
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = p.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await p.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
            await p.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        // What a program prints may quote a URL with its credentials: it leaves here redacted.
        return (p.ExitCode, Redaction.Text(await output.ConfigureAwait(false)), Redaction.Text(await error.ConfigureAwait(false)));
    }
}
