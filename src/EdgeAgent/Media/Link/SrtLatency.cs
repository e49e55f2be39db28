using System.Globalization;

namespace EdgeAgent.Media.Link;

/// <summary>The SRT latency chosen for a leg, and why (for the lesson record and the log).</summary>
public sealed record SrtLatencyChoice(int Ms, string Reason);

/// <summary>
/// SRT's receive latency from the measured path, by Epiphan's rule: the round trip times 3 at up to 1 % loss, 4 up to
/// 3 %, 5 up to 7 %, 6 up to 10 % (and beyond: the rule ends there), never under 80 ms; then kept within the configured
/// bounds. Latency is what SRT spends to recover a lost packet before its time is up: each recovery costs a round trip.
/// </summary>
public static class SrtLatency
{
    /// <summary>The rule's own floor.</summary>
    public const int FloorMs = 80;
    /// <summary>libsrt's default, used while nothing about the path is known.</summary>
    public const int SrtDefaultMs = 120;

    public static int Factor(double lossPercent) => lossPercent switch
    {
        <= 1 => 3,
        <= 3 => 4,
        <= 7 => 5,
        _ => 6,
    };

    /// <summary>The rule's latency for a path, before bounds.</summary>
    public static int Rule(double rttMs, double lossPercent) => Math.Max(FloorMs, (int)Math.Round(Math.Max(0, rttMs) * Factor(lossPercent)));

    public static SrtLatencyChoice Choose(LinkPath? path, int minMs, int maxMs, int? fixedMs)
    {
        var inv = CultureInfo.InvariantCulture;
        if (fixedMs is { } f) return new SrtLatencyChoice(f, string.Create(inv, $"fixed by stream.srtLatencyMs ({f} ms)"));
        if (path is not { RttMs: { } rtt })
        {
            var start = Math.Clamp(SrtDefaultMs, minMs, maxMs);
            return new SrtLatencyChoice(start, string.Create(inv, $"no path measured yet: {start} ms until the connection's first seconds measure it"));
        }
        var loss = path.LossPercent ?? 0;
        var rule = Rule(rtt, loss);
        var ms = Math.Clamp(rule, minMs, maxMs);
        var why = string.Create(inv,
            $"{path.Source} {path.MeasuredAt:yyyy-MM-dd HH:mm}Z: RTT {rtt:0} ms, loss {loss:0.##} % → RTT × {Factor(loss)} = {rule} ms{(ms != rule ? $", kept within {minMs}-{maxMs} ms" : "")}");
        return new SrtLatencyChoice(ms, why);
    }
}
