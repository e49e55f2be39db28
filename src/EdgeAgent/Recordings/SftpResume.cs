using EdgeAgent.Kernel;

namespace EdgeAgent.Recordings;

/// <summary>
/// A resumable copy to an SFTP storage with OpenSSH's own <c>sftp</c> client (<c>reput</c>: append what the storage
/// lacks), for the large lesson files rclone would send again from the first byte after an interruption. The file goes
/// to <c>name.partial</c> first and is renamed once whole, so the office never lists half a lesson. Only for an rclone
/// <c>sftp</c> remote that logs in with a key (<c>key_file</c>): OpenSSH's batch mode takes no password; a remote with a
/// password is copied whole by rclone. The host key is checked against the remote's <c>known_hosts_file</c> where it names
/// one, as rclone does; without one it is accepted, as rclone does.
/// </summary>
public sealed class SftpResume
{
    private readonly string _destination;
    private readonly List<string> _options;

    /// <summary>sftp's arguments before the batch file: the login, the key, the host-key check, the cap.</summary>
    internal IReadOnlyList<string> Options => _options;

    private SftpResume(string destination, List<string> options)
    {
        _destination = destination;
        _options = options;
    }

    /// <summary>The resumable copy for an rclone remote's settings, or null when the remote is not SFTP with a key.</summary>
    public static SftpResume? For(IReadOnlyDictionary<string, string> remote, int bandwidthKbps)
    {
        if (remote.GetValueOrDefault("type") != "sftp" || remote.GetValueOrDefault("key_file") is not { Length: > 0 } key
            || remote.GetValueOrDefault("host") is not { Length: > 0 } host || remote.ContainsKey("pass") || remote.ContainsKey("key_file_pass")) return null;
        var user = remote.GetValueOrDefault("user") is { Length: > 0 } u ? u : Environment.UserName;
        List<string> options = ["-F", "/dev/null", "-i", key, "-P", remote.GetValueOrDefault("port") is { Length: > 0 } port ? port : "22",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3"];
        if (remote.GetValueOrDefault("known_hosts_file") is { Length: > 0 } known) options.AddRange(["-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={known}"]);
        else options.AddRange(["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]);
        // sftp's -l counts Kbit/s of 1024 bits; the cap is in kbit/s of 1000 bits.
        if (bandwidthKbps > 0) options.AddRange(["-l", Math.Max(1, bandwidthKbps * 1000L / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return new SftpResume($"{user}@{host}", options);
    }

    /// <summary>
    /// Sends <paramref name="local"/> to <paramref name="path"/> (the remote's own path) through <c>path.partial</c>, from
    /// <paramref name="resumeAt"/> bytes (what the partial file already holds; 0: from the start), then renames it.
    /// </summary>
    public async Task SendAsync(string local, string path, long resumeAt, string batchDirectory, CancellationToken ct)
    {
        var batch = Path.Combine(batchDirectory, Path.GetFileName(path) + ".sftp");
        await File.WriteAllTextAsync(batch,
            $"{(resumeAt > 0 ? "reput" : "put")} {Quoted(local)} {Quoted(path + ".partial")}\nrename {Quoted(path + ".partial")} {Quoted(path)}\n", ct).ConfigureAwait(false);
        try
        {
            var (code, _, error) = await ProgramRun.RunAsync("sftp", [.. _options, "-b", batch, _destination], ct).ConfigureAwait(false);
            if (code != 0) throw new IOException($"sftp exited with code {code}: {Last(error)}");
        }
        finally
        {
            File.Delete(batch);
        }
    }

    /// <summary>A path as sftp's batch file reads it: in double quotes, which a path may not hold.</summary>
    private static string Quoted(string path) =>
        path.Contains('"', StringComparison.Ordinal) || path.Contains('\n', StringComparison.Ordinal)
            ? throw new IOException($"the path {path} cannot be given to sftp") : $"\"{path}\"";

    private static string Last(string error) =>
        error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => !l.StartsWith("Warning: Permanently added", StringComparison.Ordinal)) ?? "(no message)";
}
