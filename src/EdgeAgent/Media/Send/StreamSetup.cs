using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Media.Link;

namespace EdgeAgent.Media.Send;

/// <summary>
/// Everything one lesson's stream is made of before it starts: the rungs of the ladder, the switch bound to their feeds,
/// the plan of the processes, and for an SRT uplink its <see cref="SendLink"/> with the latency chosen from the measured
/// path and the rung to start on. The <see cref="StreamSupervisor"/> it is given to owns it from then on.
/// </summary>
public sealed record StreamSetup(StreamPlan Plan, RungSwitch? Switch, SendLink? Link, string StartRungWhy) : IDisposable
{
    /// <param name="paths">What the room measured of its path; null: nothing (the latency is a first guess, the top rung first).</param>
    public static StreamSetup Create(StreamOptions s, RecordingOptions recording, string lessonId, EncoderChoice encoder, LinkPaths? paths,
        TimeProvider time, Action<StreamEvent> raise)
    {
        var rungs = Ladder.Of(s);
        if (s.Uplink is not { } endpoint) return new StreamSetup(EncoderPipeline.Plan(s, recording, lessonId, rungs, [], null, encoder), null, null, "record only");
        var uplink = new UplinkPlan(endpoint, FreeUdpPort(), UplinkPlan.ReportEveryFor(rungs[^1].VideoKbps + rungs[^1].AudioKbps));
        var (start, why) = StartRung(rungs, paths?.ForBandwidth());
        var rungSwitch = new RungSwitch(rungs.Count, uplink.FeedPort, start, time);
        SendLink? link = null;
        try
        {
            if (uplink.IsSrt)
            {
                var path = paths?.ForLatency();
                var latency = SrtLatency.Choose(path, s.SrtLatencyMinMs, s.SrtLatencyMaxMs, s.SrtLatencyMs);
                link = new SendLink(lessonId, rungs, rungSwitch, TimeSpan.FromSeconds(s.Ladder.UpAfterSeconds), latency,
                    provisional: s.SrtLatencyMs is null && path is null, (s.SrtLatencyMinMs, s.SrtLatencyMaxMs), time, raise, path?.LossPercent ?? 0);
            }
            return new StreamSetup(EncoderPipeline.Plan(s, recording, lessonId, rungs, rungSwitch.InputPorts, uplink, encoder), rungSwitch, link, why);
        }
        catch
        {
            link?.Dispose();
            rungSwitch.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The rung a lesson starts on: the highest whose need fits the newest measured upload bandwidth with 15 % to spare,
    /// or the top when nothing measured it (the ladder brings it down within seconds if the link cannot carry it).
    /// </summary>
    public static (int Rung, string Why) StartRung(IReadOnlyList<Rung> rungs, LinkPath? bandwidth)
    {
        var inv = CultureInfo.InvariantCulture;
        if (rungs.Count < 2) return (0, "one rung");
        if (bandwidth is not { UpMbps: { } up }) return (0, "the top: no upload bandwidth measured yet");
        for (var i = 0; i < rungs.Count; i++)
            if (rungs[i].NeededMbps <= up * 0.85)
                return (i, string.Create(inv, $"{bandwidth.Source} measured {up:0.##} Mbit/s up"));
        return (rungs.Count - 1, string.Create(inv, $"the lowest: {bandwidth.Source} measured only {up:0.##} Mbit/s up"));
    }

    private static int FreeUdpPort()
    {
        using var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)u.Client.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        if (Link is not null) Link.Dispose(); // it owns the switch
        else Switch?.Dispose();
    }
}
