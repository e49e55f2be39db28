using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Fleet;
using Microsoft.AspNetCore.Antiforgery;
using NJsonSchema;

namespace EdgeAgent.Office.Console;

/// <summary>
/// The office pushes its documents to rooms: <c>POST /api/config/{kind}</c> (kind: policy, timetable, playbooks, update)
/// with <c>{"target": "REGION/SCHOOL/ROOM" or "REGION/SCHOOL/+" or "REGION/+/+", "document": {...}}</c>. The document is
/// checked against the contract's JSON Schema (the same files as <c>schemas/</c>, built into the service) before
/// anything is sent; then it is published retained on each targeted room's <c>config/{kind}</c> that the office knows.
/// An admin only; every push, refused or not, in the audit log.
/// </summary>
public static class ConfigPush
{
    private const int MaxBody = 256 * 1024;

    /// <summary>Each office document: its topic suffix and its schema file.</summary>
    public static readonly IReadOnlyDictionary<string, (string Suffix, string Schema)> Kinds = new Dictionary<string, (string, string)>
    {
        ["policy"] = (Suffix.ConfigPolicy, "edgeagent.policy.v1.json"),
        ["timetable"] = (Suffix.ConfigTimetable, "edgeagent.timetable.v1.json"),
        ["playbooks"] = (Suffix.ConfigPlaybooks, "edgeagent.playbooks.v1.json"),
        ["update"] = (Suffix.ConfigUpdate, "edgeagent.update-policy.v1.json"),
    };

    private static readonly Dictionary<string, Lazy<Task<JsonSchema>>> Schemas = Kinds.ToDictionary(k => k.Key, k => new Lazy<Task<JsonSchema>>(() => LoadAsync(k.Value.Schema)));

    private static async Task<JsonSchema> LoadAsync(string file)
    {
        await using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"schemas.{file}")
            ?? throw new InvalidOperationException($"schema {file} is not built into the service");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await JsonSchema.FromJsonAsync(await reader.ReadToEndAsync().ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>The document's problems by the contract's schema (path: problem), none when it is good.</summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(string kind, JsonNode document) =>
        Flatten((await Schemas[kind].Value.ConfigureAwait(false)).Validate(document.ToJsonString()))
            .Select(e => $"{(string.IsNullOrEmpty(e.Path) ? "#" : e.Path)}: {e.Kind}").Distinct().ToList();

    /// <summary>The innermost problems (an item of a list that is not valid says why in its child errors).</summary>
    private static IEnumerable<NJsonSchema.Validation.ValidationError> Flatten(IEnumerable<NJsonSchema.Validation.ValidationError> errors) =>
        errors.SelectMany(e => e is NJsonSchema.Validation.ChildSchemaValidationError child && child.Errors.Count > 0
            ? Flatten(child.Errors.SelectMany(x => x.Value))
            : [e]);

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/config/{kind}", async (HttpContext c, string kind, FleetLive live, AuditLog audit, IAntiforgery antiforgery) =>
        {
            var ct = c.RequestAborted;
            var who = Roles.Who(c.User);
            try
            {
                await antiforgery.ValidateRequestAsync(c).ConfigureAwait(false);
            }
            catch (AntiforgeryValidationException)
            {
                return Error(400, "bad_request", "the page's form token is missing or stale: reload the page");
            }
            if (!c.User.IsInRole(Roles.Admin))
            {
                await audit.WriteAsync(who, null, $"config-{kind}", "", "refused: needs admin", ct).ConfigureAwait(false);
                return Error(403, "forbidden", "only an admin pushes the office's documents");
            }
            if (!Kinds.TryGetValue(kind, out var what)) return Error(400, "bad_args", $"'{kind}' is not one of {string.Join(", ", Kinds.Keys)}");
            JsonObject body;
            try
            {
                using var buffer = new MemoryStream();
                await c.Request.Body.CopyToAsync(buffer, ct).ConfigureAwait(false);
                if (buffer.Length > MaxBody) return Error(400, "bad_args", $"larger than {MaxBody / 1024} KiB");
                body = JsonNode.Parse(buffer.ToArray()) as JsonObject ?? throw new System.Text.Json.JsonException("not a JSON object");
            }
            catch (System.Text.Json.JsonException e)
            {
                return Error(400, "bad_args", $"not JSON: {e.Message}");
            }
            var target = body["target"] is JsonValue t && t.TryGetValue<string>(out var ts) ? ts : null;
            var parts = target?.Split('/');
            if (parts is not { Length: 3 } || parts.Any(p => p.Length == 0) || parts[0] == "+" || parts[1] == "+" && parts[2] != "+")
                return Error(400, "bad_args", "target: REGION/SCHOOL/ROOM, REGION/SCHOOL/+ or REGION/+/+");
            if (body["document"] is not JsonObject document) return Error(400, "bad_args", "document: the document to push (a JSON object)");
            var problems = await CheckAsync(kind, document).ConfigureAwait(false);
            var id = $"{document["id"]?.ToString() ?? "-"} {document["version"]?.ToString() ?? ""}".Trim();
            if (problems.Count > 0)
            {
                await audit.WriteAsync(who, target, $"config-{kind}", id, $"refused: {string.Join("; ", problems.Take(5))}", ct).ConfigureAwait(false);
                return Results.Json(new { ok = false, error = new { code = "bad_document", message = $"not an {kind} document of the contract", problems } }, statusCode: 400);
            }
            var rooms = live.Rooms.Select(r => r.View.Room)
                .Where(r => r.Region == parts[0] && (parts[1] == "+" || r.School == parts[1]) && (parts[2] == "+" || r.Room == parts[2])).ToList();
            if (rooms.Count == 0) return Error(404, "unknown_room", $"the office knows no room under {target}");
            var json = document.ToJsonString();
            foreach (var room in rooms) await live.PublishRetainedAsync(room.Topic(what.Suffix), json, ct).ConfigureAwait(false);
            await audit.WriteAsync(who, target, $"config-{kind}", id, $"ok: published to {rooms.Count} room(s)", ct).ConfigureAwait(false);
            return Results.Json(new { ok = true, rooms = rooms.Select(r => r.ToString()).ToList() });
        });
    }

    private static IResult Error(int status, string code, string message) => Results.Json(new { ok = false, error = new { code, message } }, statusCode: status);
}
