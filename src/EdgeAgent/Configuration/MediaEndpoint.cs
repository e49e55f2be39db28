using System.Globalization;
using EdgeAgent.Kernel;

namespace EdgeAgent.Configuration;

/// <summary>How a media URL travels: SRT over UDP, RTMP over TCP, RTSP (its control connection over TCP).</summary>
public enum MediaTransport { Srt, Rtmp, Rtsp }

/// <summary>
/// A media URL parsed once, at configuration time: scheme, host, port, transport, and how to show it without its
/// secrets (<see cref="Redacted"/>, which is also what <see cref="ToString"/> gives, so that a URL cannot reach a
/// log or an event with its passphrase by accident). <see cref="Url"/> is the URL to hand to ffmpeg, as an argv
/// element, never through a shell.
/// </summary>
public sealed record MediaEndpoint(string Url, string Scheme, string Host, int Port, MediaTransport Transport)
{
    public bool IsUdp => Transport == MediaTransport.Srt;

    public string Redacted => Redaction.Url(Url);

    public override string ToString() => Redacted;

    /// <summary>The endpoint of a URL, or null with the reason. Only srt://, rtmp(s):// and rtsp(s):// with a host.</summary>
    public static MediaEndpoint? TryParse(string? url, out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(url))
        {
            problem = "is empty";
            return null;
        }
        if (!url.All(c => c > ' ' && c < 127) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            problem = $"'{Redaction.Url(url)}' is not a URL with a host";
            return null;
        }
        (MediaTransport? transport, int defaultPort) = uri.Scheme switch
        {
            "srt" => ((MediaTransport?)MediaTransport.Srt, -1),
            "rtmp" => (MediaTransport.Rtmp, 1935),
            "rtmps" => (MediaTransport.Rtmp, 443),
            "rtsp" => (MediaTransport.Rtsp, 554),
            "rtsps" => (MediaTransport.Rtsp, 322),
            _ => (null, 0),
        };
        if (transport is null)
        {
            problem = $"'{Redaction.Url(url)}' is not an srt://, rtmp:// or rtsp:// URL";
            return null;
        }
        var port = uri.IsDefaultPort || uri.Port <= 0 ? defaultPort : uri.Port;
        if (port is < 1 or > 65535)
        {
            problem = $"'{Redaction.Url(url)}' has no port (an SRT URL must name one)";
            return null;
        }
        return new MediaEndpoint(url, uri.Scheme, uri.Host, port, transport.Value);
    }

    public string HostPort => Host.Contains(':') ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
