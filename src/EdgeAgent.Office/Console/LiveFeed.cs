using System.Text.Json;
using EdgeAgent.Office.Alerts;
using EdgeAgent.Office.Fleet;

namespace EdgeAgent.Office.Console;

/// <summary>
/// <c>GET /live[?room=ID]</c>: server-sent events for an open page. On each change of a room the page receives
/// <c>event: room</c> with the room's fleet row (and <c>event: alerts</c> when the alerts changed) and (for its own room page) the room's live detail, rendered by
/// <see cref="FleetHtml"/> as on load, and the fleet's counts. A comment every 15 s keeps proxies from closing it.
/// </summary>
public static class LiveFeed
{
    public static async Task StreamAsync(HttpContext c, FleetFeed feed, FleetLive live, AlertEngine engine, TimeProvider time, string? room)
    {
        c.Response.Headers.ContentType = "text/event-stream";
        c.Response.Headers.CacheControl = "no-cache";
        c.Response.Headers["X-Accel-Buffering"] = "no"; // nginx in front: do not buffer the stream
        using var subscription = feed.Subscribe(room);
        var ct = c.RequestAborted;
        await c.Response.WriteAsync(": live\n\n", ct).ConfigureAwait(false);
        await c.Response.Body.FlushAsync(ct).ConfigureAwait(false);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var changed = await subscription.NextAsync(TimeSpan.FromSeconds(15), time, ct).ConfigureAwait(false);
                var alerts = subscription.TakeAlerts();
                if (alerts) await c.Response.WriteAsync($"event: alerts\ndata: {{\"open\":{engine.Open.Count}}}\n\n", ct).ConfigureAwait(false);
                if (changed.Count == 0 && !alerts)
                {
                    await c.Response.WriteAsync(": keep-alive\n\n", ct).ConfigureAwait(false);
                }
                else
                {
                    var counts = room is null ? FleetHtml.Counts(live.Rooms) : null;
                    foreach (var id in changed)
                    {
                        if (live.Find(id) is not { } r) continue;
                        var data = JsonSerializer.Serialize(new LiveUpdate(id, FleetHtml.Condition(r), FleetHtml.Row(r), room is null ? null : FleetHtml.Detail(r), counts),
                            LiveJson.Default.LiveUpdate);
                        await c.Response.WriteAsync($"event: room\ndata: {data}\n\n", ct).ConfigureAwait(false);
                    }
                }
                await c.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}

public sealed record LiveUpdate(string Id, string Condition, string Row, string? Detail, string? Counts);

[System.Text.Json.Serialization.JsonSerializable(typeof(LiveUpdate))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class LiveJson : System.Text.Json.Serialization.JsonSerializerContext;
