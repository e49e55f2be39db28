using System.Diagnostics;
using System.Globalization;

namespace EdgeAgent.Media.Link;

/// <summary>
/// One life of libsrt's own <c>srt-live-transmit</c>: it carries one SRT leg (the uplink from the local feed to the
/// relay, or the partner's stream from the relay to a local feed) packet by packet, without demultiplexing, and prints
/// the connection's statistics as JSON every <c>-s:N</c> packets, which are read here as <see cref="SrtSample"/>s.
/// It exits when its connection breaks (<c>-a:no</c>: the supervisor, not the program, decides when to try again).
/// </summary>
public sealed class SrtTransmitRun : ChildRun
{
    private long _packets;

    private SrtTransmitRun(string name, Process process, TimeProvider time) : base(name, process, time)
    {
    }

    /// <summary>Each statistics report as it comes.</summary>
    public event Action<SrtSample>? Sample;

    /// <summary>Packets carried so far by this run (sent, or received unique).</summary>
    public long Packets => Interlocked.Read(ref _packets);

    /// <summary>The argument list: from <paramref name="input"/> to <paramref name="output"/>, a report every <paramref name="reportEvery"/> packets.</summary>
    public static IReadOnlyList<string> Args(string input, string output, int reportEvery) =>
        ["-a:no", "-q", "-ll:error", string.Create(CultureInfo.InvariantCulture, $"-s:{reportEvery}"), "-pf:json", input, output];

    public static async Task<SrtTransmitRun> StartAsync(string name, IReadOnlyList<string> args, TimeProvider time) =>
        new(name, await LaunchAsync("srt-live-transmit", args).ConfigureAwait(false), time);

    protected override void OnOutputLine(string line)
    {
        if (SrtSample.Parse(line) is not { } sample) return;
        var moved = sample.SentUnique + sample.ReceivedUnique;
        if (moved > 0)
        {
            Interlocked.Add(ref _packets, moved);
            Advanced();
        }
        Sample?.Invoke(sample);
    }
}
