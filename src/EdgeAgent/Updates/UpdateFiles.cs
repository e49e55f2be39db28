using System.Globalization;
using EdgeAgent.Contract.Payloads;

namespace EdgeAgent.Updates;

/// <summary>
/// The files the agent and the root updater (<c>/usr/lib/edgeagent/edgeagent-update</c>) pass each other, as
/// <c>key=value</c> lines a shell script reads without a JSON parser: the agent's <b>request</b> (the version and the health
/// limit) and its <b>ready mark</b> (its version and the devices online, written when it is ready and when they change), in
/// the agent's own directory; the updater's <b>result</b>, in the updater's (root's) directory.
/// </summary>
public static class UpdateFiles
{
    public const string Request = "request";
    public const string Ready = "ready";

    /// <summary>Writes <paramref name="lines"/> to <paramref name="path"/> whole (a temporary file renamed over it).</summary>
    public static void Write(string path, IEnumerable<(string Key, string Value)> lines)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.new"; // two writers at once (ready, and a device change) each move their own
        File.WriteAllLines(temp, lines.Select(l => $"{l.Key}={l.Value}"));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The <c>key=value</c> lines of <paramref name="path"/>; empty when there is no such file.</summary>
    public static Dictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return values;
        foreach (var line in File.ReadLines(path))
            if (line.IndexOf('=', StringComparison.Ordinal) is > 0 and var i) values[line[..i]] = line[(i + 1)..];
        return values;
    }

    public static void WriteRequest(string directory, string version, TimeSpan healthLimit) =>
        Write(Path.Combine(directory, Request), [("version", version), ("health-seconds", ((int)healthLimit.TotalSeconds).ToString(CultureInfo.InvariantCulture))]);

    public static void WriteReady(string directory, string version, IEnumerable<string> online) =>
        Write(Path.Combine(directory, Ready), [("version", version), ("online", string.Join(' ', online.Order(StringComparer.Ordinal)))]);

    /// <summary>The updater's last result, or null when it has none (or it cannot be read as one).</summary>
    public static UpdateResult? ReadResult(string path)
    {
        Dictionary<string, string> v;
        try
        {
            v = Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (!v.TryGetValue("outcome", out var outcome) || !v.TryGetValue("version", out var version) || !v.TryGetValue("at", out var at)) return null;
        return new UpdateResult(outcome, version, v.GetValueOrDefault("previous"), at, v.GetValueOrDefault("reason"));
    }
}
