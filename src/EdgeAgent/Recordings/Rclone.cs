using System.Globalization;
using System.Text.Json;
using EdgeAgent.Kernel;

namespace EdgeAgent.Recordings;

/// <summary>A file as the office's storage lists it (<c>rclone lsjson --stat --hash</c>): its size and the checksums the storage can give.</summary>
public sealed record RemoteFile(long Size, IReadOnlyDictionary<string, string> Hashes);

/// <summary>
/// rclone, Debian's, as the transfer engine: one engine for every storage an office runs (S3-compatible object
/// storage, WebDAV, SFTP, FTP), with the remote and its credentials in its own configuration file. Run as an argument
/// list (no shell), killed when the caller cancels (a lesson about to start); what it prints is redacted.
/// </summary>
public sealed class Rclone(string configFile, int bandwidthKbps)
{
    /// <summary>Copies <paramref name="local"/> to <paramref name="remote"/> (remote:path/file), at most <c>bandwidthKbps</c>.</summary>
    public async Task CopyToAsync(string local, string remote, CancellationToken ct)
    {
        List<string> args = ["copyto", local, remote, "--retries", "1", "--low-level-retries", "3", "--contimeout", "10s", "--timeout", "30s"];
        // rclone's --bwlimit counts KiB/s (1024 bytes); the cap is in kbit/s (1000 bits).
        if (bandwidthKbps > 0) args.AddRange(["--bwlimit", string.Create(CultureInfo.InvariantCulture, $"{bandwidthKbps * 1000 / 8.0 / 1024:0.###}k")]);
        var (code, _, error) = await RunAsync(args, ct).ConfigureAwait(false);
        if (code != 0) throw new IOException($"rclone copyto exited with code {code}: {Last(error)}");
    }

    /// <summary>The file at <paramref name="remote"/>, or null when there is none.</summary>
    public async Task<RemoteFile?> StatAsync(string remote, CancellationToken ct)
    {
        var (code, output, error) = await RunAsync(["lsjson", "--stat", "--hash", "--no-mimetype", remote], ct).ConfigureAwait(false);
        if (code == 3 || (code != 0 && error.Contains("not found", StringComparison.OrdinalIgnoreCase))) return null; // 3: directory not found
        if (code != 0) throw new IOException($"rclone lsjson exited with code {code}: {Last(error)}");
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("IsDir", out var dir) && dir.GetBoolean()) return null;
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("Hashes", out var h) && h.ValueKind == JsonValueKind.Object)
            foreach (var p in h.EnumerateObject())
                if (p.Value.GetString() is { Length: > 0 } v) hashes[p.Name] = v;
        return new RemoteFile(root.GetProperty("Size").GetInt64(), hashes);
    }

    /// <summary>Makes the directory <paramref name="remote"/> (and its parents) where it is missing.</summary>
    public async Task MkdirAsync(string remote, CancellationToken ct)
    {
        var (code, _, error) = await RunAsync(["mkdir", remote], ct).ConfigureAwait(false);
        if (code != 0) throw new IOException($"rclone mkdir exited with code {code}: {Last(error)}");
    }

    /// <summary>Deletes the file <paramref name="remote"/> where it is.</summary>
    public async Task DeleteAsync(string remote, CancellationToken ct)
    {
        var (code, _, error) = await RunAsync(["deletefile", remote], ct).ConfigureAwait(false);
        if (code != 0 && !error.Contains("not found", StringComparison.OrdinalIgnoreCase)) throw new IOException($"rclone deletefile exited with code {code}: {Last(error)}");
    }

    /// <summary>The settings of the remote <paramref name="name"/> as its configuration file has them (<c>rclone config dump</c>); null when there is none.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> RemoteAsync(string name, CancellationToken ct)
    {
        var (code, output, error) = await RunAsync(["config", "dump"], ct).ConfigureAwait(false);
        if (code != 0) throw new IOException($"rclone config dump exited with code {code}: {Last(error)}");
        using var doc = JsonDocument.Parse(output);
        if (!doc.RootElement.TryGetProperty(name, out var remote) || remote.ValueKind != JsonValueKind.Object) return null;
        return remote.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    private Task<(int Code, string Output, string Error)> RunAsync(IEnumerable<string> args, CancellationToken ct) =>
        ProgramRun.RunAsync("rclone", [.. args, "--config", configFile], ct, AskNoPassword);

    /// <summary>rclone never waits on a terminal for a configuration password.</summary>
    private static readonly Dictionary<string, string> AskNoPassword = new() { ["RCLONE_ASK_PASSWORD"] = "false" };

    private static string Last(string error) =>
        error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no message)";
}
