using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace EdgeAgent.Kernel;

/// <summary>
/// The one place secrets are taken out of text. Every line a child process prints (ffmpeg, ffprobe, mpv, iperf3),
/// every URL the agent shows, every event detail and every log property passes through <see cref="Text"/>. Two
/// nets: the secret values the configuration holds (registered when it is loaded: broker and PJLink passwords, URL
/// credentials, SRT passphrases and stream-id secrets, in their plain and URL-escaped spellings), and the shapes
/// secrets take in a URL (credentials in the authority; <c>passphrase</c>, <c>password</c>, <c>key</c> and the like
/// in a query; the password field of a MediaMTX stream id, <c>secret</c>/<c>token</c> in an SRT access-control one).
/// </summary>
public static partial class Redaction
{
    public const string Mask = "***";
    private static readonly ConcurrentDictionary<string, byte> Secrets = new(StringComparer.Ordinal);


    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?<userinfo>[^/@\s?#]+)@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"(?<key>(?:^|[?&;,\s])(?:passphrase|password|passwd|pass|pwd|key|secret|token|auth|pbkey)=)(?<value>[^&;,\s'""]*)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretParameter();

    [GeneratedRegex(@"(?<head>streamid=(?:publish|read):[^:&\s]*:[^:&\s]*:)(?<value>[^&\s'""]*)", RegexOptions.IgnoreCase)]
    private static partial Regex MediaMtxStreamId();

    /// <summary>Remembers a secret value so that it is masked wherever it appears. Values shorter than 3 characters are not taken (they would mask ordinary text).</summary>
    public static void AddSecret(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 3) return;
        Secrets.TryAdd(secret, 0);
        var escaped = Uri.EscapeDataString(secret);
        if (escaped != secret) Secrets.TryAdd(escaped, 0);
        var unescaped = Uri.UnescapeDataString(secret);
        if (unescaped != secret && unescaped.Length >= 3) Secrets.TryAdd(unescaped, 0);
    }

    /// <summary>Registers the secret parts of a URL: the password of its credentials, secret query values, stream-id secrets.</summary>
    public static void AddSecretsOf(string? url)
    {
        if (string.IsNullOrEmpty(url)) return;
        foreach (Match m in UserInfo().Matches(url))
        {
            var info = m.Groups["userinfo"].Value;
            var colon = info.IndexOf(':');
            AddSecret(colon >= 0 ? info[(colon + 1)..] : info);
        }
        foreach (Match m in SecretParameter().Matches(url)) AddSecret(m.Groups["value"].Value);
        foreach (Match m in MediaMtxStreamId().Matches(url)) AddSecret(m.Groups["value"].Value);
    }

    /// <summary>The text with every known secret and every secret-shaped URL part masked.</summary>
    public static string Text(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var result = text;
        // Longest first: a secret that contains another is masked whole.
        foreach (var secret in Secrets.Keys.OrderByDescending(s => s.Length))
            if (result.Contains(secret, StringComparison.Ordinal)) result = result.Replace(secret, Mask, StringComparison.Ordinal);
        result = UserInfo().Replace(result, m => $"{m.Groups["scheme"].Value}{Mask}@");
        result = SecretParameter().Replace(result, m => m.Groups["key"].Value + Mask);
        result = MediaMtxStreamId().Replace(result, m => m.Groups["head"].Value + Mask);
        return result;
    }

    /// <summary>A URL as it may be shown: the same as <see cref="Text"/> (kept apart so that call sites say what they hold).</summary>
    public static string Url(string? url) => Text(url);

    /// <summary>Forgets every registered secret (tests that load several configurations).</summary>
    internal static void ForgetAll() => Secrets.Clear();
}
