using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Fleet;
using EdgeAgent.Office.Store;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EdgeAgent.Office.Console.Pages;

public sealed class RoomModel(FleetLive live, OfficeStore store, AuditLog audit) : PageModel
{
    public string Id { get; private set; } = "";
    public LiveRoom? Live { get; private set; }
    public IReadOnlyList<LessonRecord> History { get; private set; } = [];
    public IReadOnlyList<JsonObject> Events { get; private set; } = [];
    public IReadOnlyList<AuditEntry> Audit { get; private set; } = [];

    public async Task OnGetAsync(string region, string school, string room)
    {
        var address = new RoomAddress(region, school, room);
        Id = address.ToString();
        Live = live.Find(Id);
        if (Live is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var ct = HttpContext.RequestAborted;
        History = (await store.RoomLessonsAsync(address, 20, ct).ConfigureAwait(false))
            .Select(j => { try { return j.Deserialize(ContractJson.Wire.LessonRecord); } catch (JsonException) { return null; } })
            .OfType<LessonRecord>().ToList();
        Events = await store.RecentEventsAsync(address, 30, ct).ConfigureAwait(false);
        Audit = await audit.RecentAsync(Id, 20, ct).ConfigureAwait(false);
    }

    public string Minutes(JsonNode? t) => Time(t) is { } v ? SchoolTime.Minutes(v) : "-";
    public string Seconds(JsonNode? t) => Time(t) is { } v ? SchoolTime.Seconds(v) : "-";

    private static DateTimeOffset? Time(JsonNode? t) =>
        t is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    public static string StreamSummary(LessonRecord l) =>
        string.Create(CultureInfo.InvariantCulture, $"{l.Stream.SecondsStreamed:0} s, {l.Stream.UptimePercent:0.#} %, 卡顿 stalls {l.Stream.Stalls}, 重启 restarts {l.Stream.Restarts}");

    public static string PlaybackSummary(LessonRecord l) => l.Playback is { } p
        ? string.Create(CultureInfo.InvariantCulture, $"{p.SecondsPlayed:0} s, 卡顿 stalls {p.Stalls} ({p.StallSeconds:0.#} s), 对方缺席 partner away {p.PartnerLostSeconds:0} s") : "-";

    public static string LinkSummary(LessonRecord l) => (l.Link?.Send ?? l.Link?.Receive) is { } k
        ? string.Create(CultureInfo.InvariantCulture, $"RTT p95 {k.RttP95Ms:0} ms, 丢包 loss {k.LossPercent:0.#} %, 重传 retransmit {k.RetransmitPercent:0.#} %") : "-";
}
