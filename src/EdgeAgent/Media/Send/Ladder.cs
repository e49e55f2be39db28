using System.Globalization;
using EdgeAgent.Configuration;

namespace EdgeAgent.Media.Send;

/// <summary>
/// One rung of the ladder: a size and a bitrate the encoder produces as a local feed of its own. Rung 0 is the top,
/// the configured stream, and the one recorded.
/// </summary>
public sealed record Rung(int Index, int Width, int Height, int VideoKbps, int AudioKbps)
{
    /// <summary>
    /// What the rung needs of the link, in Mbit/s, as it goes on the wire: the picture with MPEG-TS's packet and PES
    /// headers (about 12 % at these rates), the sound at whole TS packets per AAC frame (one frame per PES: 64 kbit/s
    /// takes two 188-byte packets a frame, 131 kbit/s; 48 kbit/s one, 70 kbit/s), the tables twice a second, and SRT's,
    /// UDP's and IP's headers on every 1316 bytes.
    /// </summary>
    public double NeededMbps
    {
        get
        {
            const double framesPerSecond = 48000 / 1024.0, tsBits = 188 * 8;
            var frameBytes = AudioKbps * 1000 / 8.0 / framesPerSecond;
            var audioKbps = Math.Ceiling((frameBytes + 14) / 184) * tsBits * framesPerSecond / 1000;
            var tablesKbps = 3 * tsBits * 2 / 1000.0;
            return (VideoKbps * 1.12 + audioKbps + tablesKbps) * (1316 + 44) / 1316 / 1000;
        }
    }

    public string Name => string.Create(CultureInfo.InvariantCulture, $"{Height}p {VideoKbps / 1000.0:0.0##} Mbit/s");

    public override string ToString() => Name;
}

/// <summary>The rungs of a lesson stream, top first: the configured stream, then <c>stream.ladder.rungs</c> or the default ones.</summary>
public static class Ladder
{
    /// <summary>
    /// The rungs for <paramref name="stream"/>. Without an SRT uplink (nothing measures the link) or with the ladder off,
    /// the top rung alone. The default lower rungs: the same size at 48 % of the bitrate, then 360 lines at 10 % (at most
    /// 250 kbit/s) with audio at no more than 48 kbit/s, which needs 0.37 Mbit/s of the wire and so fits a 0.5 Mbit/s
    /// link with room for SRT's retransmissions.
    /// </summary>
    public static IReadOnlyList<Rung> Of(StreamOptions stream)
    {
        var top = new Rung(0, stream.Width, stream.Height, stream.VideoBitrateKbps, stream.AudioBitrateKbps);
        if (!stream.Ladder.Enabled || stream.Uplink?.Transport != MediaTransport.Srt) return [top];
        var lower = stream.Ladder.Rungs is { Count: > 0 } configured
            ? configured.Select(r => (r.Width, r.Height, r.VideoBitrateKbps, r.AudioBitrateKbps ?? stream.AudioBitrateKbps))
            : Defaults(stream);
        return [top, .. lower.Select((r, i) => new Rung(i + 1, r.Item1, r.Item2, r.Item3, r.Item4))];
    }

    private static IEnumerable<(int, int, int, int)> Defaults(StreamOptions s)
    {
        yield return (s.Width, s.Height, Math.Max(100, s.VideoBitrateKbps * 48 / 100), s.AudioBitrateKbps);
        var height = Math.Min(s.Height, 360);
        var width = Even(s.Width * height / (double)s.Height);
        yield return (width, height, Math.Clamp(s.VideoBitrateKbps / 10, 100, 250), Math.Min(s.AudioBitrateKbps, 48));
    }

    private static int Even(double v) => Math.Max(2, (int)Math.Round(v / 2) * 2);
}
