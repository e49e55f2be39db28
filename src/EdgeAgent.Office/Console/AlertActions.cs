using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Alerts;
using EdgeAgent.Office.Store;
using Microsoft.AspNetCore.Antiforgery;

namespace EdgeAgent.Office.Console;

/// <summary>
/// The console's alert endpoints: acknowledge and suppress (a technician or admin), replace the rules (an admin, the
/// document checked whole first), and the list as HTML for the live page. Every change is in the audit log.
/// </summary>
public static class AlertActions
{
    private const int MaxBody = 64 * 1024;

    public static void Map(WebApplication app)
    {
        app.MapGet("/alerts/table", async (HttpContext c, AlertEngine engine, OfficeStore store, TimeProvider time) =>
            Results.Content(AlertsHtml.Tables(engine.Open, await store.ResolvedAlertsAsync(time.GetUtcNow().AddDays(-7), 50, c.RequestAborted).ConfigureAwait(false), CanAct(c)),
                "text/html; charset=utf-8"));

        app.MapPost("/api/alerts/{id}/ack", async (HttpContext c, string id, AlertEngine engine, AuditLog audit, IAntiforgery antiforgery) =>
        {
            if (await Refused(c, antiforgery, audit, Roles.Technician, "alert-ack", id) is { } refused) return refused;
            var alert = await engine.AcknowledgeAsync(id, Roles.Who(c.User), c.RequestAborted).ConfigureAwait(false);
            await audit.WriteAsync(Roles.Who(c.User), alert?.Room, "alert-ack", id, alert is null ? "no such open alert" : "ok", c.RequestAborted).ConfigureAwait(false);
            return alert is null ? Results.Json(Error("unknown_alert", "no open alert with this id"), statusCode: 404) : Results.Json(new { ok = true });
        });

        app.MapPost("/api/alerts/suppress", async (HttpContext c, AlertEngine engine, AuditLog audit, IAntiforgery antiforgery, TimeProvider time) =>
        {
            if (await Refused(c, antiforgery, audit, Roles.Technician, "alert-suppress", "") is { } refused) return refused;
            JsonObject body;
            try
            {
                body = await ReadJsonAsync(c).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                return Results.Json(Error("bad_args", e.Message), statusCode: 400);
            }
            var room = body["room"] is JsonValue r && r.TryGetValue<string>(out var rs) ? rs : null;
            var rule = body["rule"] is JsonValue u && u.TryGetValue<string>(out var us) ? us : null;
            var hours = body["hours"] is JsonValue h && h.TryGetValue<int>(out var hs) ? hs : 0;
            if (room is null || rule is null || hours is < 1 or > 24 * 31)
                return Results.Json(Error("bad_args", "room, rule and hours (1-744) are required"), statusCode: 400);
            if (engine.Rules.Rules.All(x => x.Id != rule)) return Results.Json(Error("bad_args", $"no rule '{rule}'"), statusCode: 400);
            var until = time.GetUtcNow().AddHours(hours);
            await engine.SuppressAsync(room, rule, until, Roles.Who(c.User), c.RequestAborted).ConfigureAwait(false);
            await audit.WriteAsync(Roles.Who(c.User), room, "alert-suppress", $"{rule} for {hours} h", "ok", c.RequestAborted).ConfigureAwait(false);
            return Results.Json(new { ok = true });
        });

        app.MapPost("/api/alerts/rules", async (HttpContext c, AlertEngine engine, AuditLog audit, IAntiforgery antiforgery) =>
        {
            if (await Refused(c, antiforgery, audit, Roles.Admin, "alert-rules", "") is { } refused) return refused;
            string json;
            using (var reader = new StreamReader(c.Request.Body))
            {
                var buffer = new char[MaxBody + 1];
                var n = await reader.ReadBlockAsync(buffer, c.RequestAborted).ConfigureAwait(false);
                if (n > MaxBody) return Results.Json(Error("bad_args", $"the rules are larger than {MaxBody} bytes"), statusCode: 400);
                json = new string(buffer, 0, n);
            }
            try
            {
                var rules = await engine.ReplaceRulesAsync(json, Roles.Who(c.User), c.RequestAborted).ConfigureAwait(false);
                await audit.WriteAsync(Roles.Who(c.User), null, "alert-rules", $"version {rules.Version}, {rules.Rules.Count} rules", "ok", c.RequestAborted).ConfigureAwait(false);
                return Results.Json(new { ok = true, version = rules.Version, rules = rules.Rules.Count });
            }
            catch (FormatException e)
            {
                await audit.WriteAsync(Roles.Who(c.User), null, "alert-rules", "", $"refused: {e.Message}", c.RequestAborted).ConfigureAwait(false);
                return Results.Json(Error("bad_rules", e.Message), statusCode: 400);
            }
        });
    }

    private static bool CanAct(HttpContext c) => c.User.IsInRole(Roles.Technician) || c.User.IsInRole(Roles.Admin);

    /// <summary>A stale form token (400), or a role too small (403, audited); null when the request may go on.</summary>
    private static async Task<IResult?> Refused(HttpContext c, IAntiforgery antiforgery, AuditLog audit, string least, string action, string detail)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(c).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Json(Error("bad_request", "the page's form token is missing or stale: reload the page"), statusCode: 400);
        }
        var allowed = least == Roles.Admin ? c.User.IsInRole(Roles.Admin) : CanAct(c);
        if (allowed) return null;
        await audit.WriteAsync(Roles.Who(c.User), null, action, detail, $"refused: needs {least}", c.RequestAborted).ConfigureAwait(false);
        return Results.Json(Error("forbidden", $"this needs the {least} role"), statusCode: 403);
    }

    private static async Task<JsonObject> ReadJsonAsync(HttpContext c)
    {
        using var body = new MemoryStream();
        await c.Request.Body.CopyToAsync(body, c.RequestAborted).ConfigureAwait(false);
        if (body.Length > MaxBody) throw new JsonException($"larger than {MaxBody} bytes");
        return JsonNode.Parse(body.ToArray()) as JsonObject ?? throw new JsonException("must be a JSON object");
    }

    private static JsonObject Error(string code, string message) => new() { ["ok"] = false, ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };
}
