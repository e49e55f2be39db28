using System.Net;
using System.Net.Sockets;
using EdgeAgent.Configuration;
using EdgeAgent.Media.Link;
using EdgeAgent.Media.Send;
using EdgeAgent.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Media.Play;

/// <summary>
/// Owns the partner playback of the lesson on air (at most one), as <see cref="StreamService"/> owns what the room
/// sends. The lesson executor starts it at the shared window and stops it at the end; diagnostics read
/// <see cref="Current"/>. A host stop stops it; its processes are tied to the agent.
/// </summary>
public sealed partial class PlaybackService(AgentOptions options, TimeProvider time, ILoggerFactory logs, EventSink events, LinkPaths? paths = null) : IHostedService
{
    private readonly ILogger<PlaybackService> _log = logs.CreateLogger<PlaybackService>();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PartnerPlayer? _current;

    /// <summary>Where the player's socket and slate live: under the state directory (the unit's private /tmp is no place for them).</summary>
    public string Directory => Path.Combine(options.StateDirectory, "player");

    public PartnerPlayer? Current => _current;

    /// <summary>The partner endpoint of a booking, or null (with why) when this room plays no partner for it.</summary>
    public MediaEndpoint? PartnerOf(string? partnerSchool, string? partnerRoom, out string? why)
    {
        why = null;
        if (string.IsNullOrEmpty(options.Stream.PartnerUrl))
        {
            why = "stream.partnerUrl is not configured";
            return null;
        }
        if (partnerSchool is null || partnerRoom is null)
        {
            why = "the booking names no partner school and room";
            return null;
        }
        return MediaUrlTemplate.Partner(options.Stream.PartnerUrl, options.Address, partnerSchool, partnerRoom, out why);
    }

    /// <summary>Starts playing the partner of lesson <paramref name="lessonId"/>; the slate is drawn first. Returns once the processes are started.</summary>
    public async Task<PartnerPlayer> StartAsync(string lessonId, string partnerSchool, string partnerRoom, MediaEndpoint partner, DateTimeOffset windowStart,
        CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_current is { } old)
            {
                if (old.LessonId == lessonId && old.Stats.State is not (PlaybackState.Stopped or PlaybackState.Failed)) return old;
                await old.StopAsync().ConfigureAwait(false);
            }
            System.IO.Directory.CreateDirectory(Directory);
            var plan = PlayerPipeline.Plan(options.Playback, partner, Directory, lessonId, FreeUdpPort());
            await Slate.RenderAsync(plan.SlatePath, partnerSchool, partnerRoom, Math.Max(640, options.Stream.Width), Math.Max(360, options.Stream.Height), ct)
                .ConfigureAwait(false);
            var s = options.Stream;
            // The partner's stream comes over the same path the room measured (its round trip; the loss is the uplink's, the one measured).
            var latency = SrtLatency.Choose(paths?.ForLatency(), s.SrtLatencyMinMs, s.SrtLatencyMaxMs, s.SrtLatencyMs);
            var player = new PartnerPlayer(lessonId, $"{partnerSchool}/{partnerRoom}", plan, options.Playback, windowStart, time,
                logs.CreateLogger<PartnerPlayer>(), e => events.Raise(e.Type, e.Severity, null, e.Detail), latency);
            _current = player;
            player.Start();
            LogStarting(lessonId, $"{partnerSchool}/{partnerRoom}", partner.Redacted);
            if (plan.Receiver.IsSrt) LogLatency(lessonId, latency.Ms, latency.Reason);
            return player;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the current playback; returns its final figures, or null when none ran.</summary>
    public async Task<PlaybackStats?> StopAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_current is not { } player) return null;
            await player.StopAsync().ConfigureAwait(false);
            _current = null;
            var stats = player.Stats;
            LogStopped(player.LessonId, stats.SecondsPlayed, stats.PartnerLostSeconds, stats.PlayerRestarts);
            return stats;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => _current is { } p ? p.StopAsync() : Task.CompletedTask;

    private static int FreeUdpPort()
    {
        using var s = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.Client.LocalEndPoint!).Port;
    }

    [LoggerMessage(EventId = 6411, Level = LogLevel.Information, Message = "Lesson {Lesson}: playing the partner {Partner} from {Url}")]
    private partial void LogStarting(string lesson, string partner, string url);

    [LoggerMessage(EventId = 6413, Level = LogLevel.Information, Message = "Lesson {Lesson}: the partner's SRT latency {Latency} ms ({Why})")]
    private partial void LogLatency(string lesson, int latency, string why);

    [LoggerMessage(EventId = 6412, Level = LogLevel.Information, Message = "Lesson {Lesson}: partner playback stopped after {Played} s played, {Lost} s without the partner, {Restarts} player restart(s)")]
    private partial void LogStopped(string lesson, double played, double lost, int restarts);
}
