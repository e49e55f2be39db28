using System.Globalization;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Commands;

namespace EdgeAgent.Office.Fleet;

/// <summary>A lesson a room has booked ahead, as its <c>lessons</c> command says: when it prepares, starts and ends, and whether its shared window clashes.</summary>
public sealed record AheadLesson(string Booking, DateTimeOffset PrepareAt, DateTimeOffset Start, DateTimeOffset End, string? Subject, string? PartnerSchool, bool Clash, string? Note);

/// <summary>A room's lessons ahead (the next two days) and when the office asked.</summary>
public sealed record RoomLessons(DateTimeOffset FetchedAt, IReadOnlyList<AheadLesson> Upcoming)
{
    /// <summary>The next lesson that has not ended at <paramref name="now"/>.</summary>
    public AheadLesson? Next(DateTimeOffset now) => Upcoming.Where(l => l.End > now).MinBy(l => l.Start);

    /// <summary>In a lesson's prepare window (prepared, not yet started) at <paramref name="now"/>.</summary>
    public bool Preparing(DateTimeOffset now) => Upcoming.Any(l => l.PrepareAt <= now && now < l.Start);
}

/// <summary>
/// What each room has booked ahead: the office asks every online room its <c>lessons</c> (two days) every ten minutes,
/// a few rooms at a time, and keeps the answer on the room (<see cref="LiveRoom.Ahead"/>) for the fleet page (the next
/// lesson and clashes) and the alerts (a clash ahead, a device offline in a prepare window). Retained documents do not
/// carry a room's bookings, so the office asks, as a technician's <c>edgeagent-ctl status</c> does.
/// </summary>
public sealed class LessonsAhead(FleetLive live, ILogger<LessonsAhead> log, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan Pass = TimeSpan.FromSeconds(15);
    private const int AtOnce = 4;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Pass, time);
        do
        {
            try
            {
                await RefreshAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("lessons ahead: {Type}: {Message}", e.GetType().Name, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    /// <summary>Asks every online room whose answer is older than <see cref="Every"/> (or missing).</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        if (!live.IsConnected) return;
        var now = time.GetUtcNow();
        var due = live.Rooms.Where(r => r.View.Online == true && (r.Ahead is null || now - r.Ahead.FetchedAt >= Every)).ToList();
        using var gate = new SemaphoreSlim(AtOnce);
        await Task.WhenAll(due.Select(async room =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var outcome = await live.SendAsync(room.View.Room, AgentCommands.Lessons.Name, new JsonObject { ["days"] = 2 }, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
                if (outcome.Reply is { Ok: true, Result: JsonObject result })
                {
                    room.Ahead = new RoomLessons(time.GetUtcNow(), Parse(result));
                    live.Announce(room);
                }
            }
            catch (InvalidOperationException)
            {
                // Not connected just now: the next pass asks again.
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
    }

    public static IReadOnlyList<AheadLesson> Parse(JsonObject result)
    {
        static DateTimeOffset? T(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s)
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
        static string? S(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return (result["upcoming"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(l => T(l["start"]) is not null && T(l["end"]) is not null)
            .Select(l => new AheadLesson(S(l["booking"]) ?? "-", T(l["prepareAt"]) ?? T(l["start"])!.Value, T(l["start"])!.Value, T(l["end"])!.Value,
                S(l["subject"]), S(l["partnerSchool"]), l["clash"] is JsonValue c && c.TryGetValue<bool>(out var clash) && clash, S(l["note"])))
            .ToList();
    }
}
