using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Fleet;
using Microsoft.AspNetCore.Antiforgery;

namespace EdgeAgent.Office.Console;

/// <summary>
/// A technician's action on a room from the console: <c>POST /api/rooms/{region}/{school}/{room}/commands/{name}</c> with
/// the arguments as a JSON object. Only the contract's commands, their arguments checked before anything is sent; a
/// viewer is refused (403) and nothing is sent; every attempt, refused or not, is in the audit log with its result.
/// </summary>
public sealed class RoomActions(FleetLive live, AuditLog audit, ILogger<RoomActions> log)
{
    private const int MaxBody = 16 * 1024;

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/rooms/{region}/{school}/{room}/commands/{name}",
            (HttpContext c, string region, string school, string room, string name, RoomActions actions, IAntiforgery antiforgery) =>
                actions.RunAsync(c, antiforgery, new RoomAddress(region, school, room), name));
        app.MapGet("/api/rooms/{region}/{school}/{room}/lessons", (string region, string school, string room, RoomActions actions, CancellationToken ct) =>
            actions.LessonsAsync(new RoomAddress(region, school, room), ct));
    }

    private async Task<IResult> RunAsync(HttpContext c, IAntiforgery antiforgery, RoomAddress room, string name)
    {
        var ct = c.RequestAborted;
        var who = Roles.Who(c.User);
        try
        {
            await antiforgery.ValidateRequestAsync(c).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Json(Error("bad_request", "the page's form token is missing or stale: reload the page"), statusCode: StatusCodes.Status400BadRequest);
        }
        JsonObject args;
        try
        {
            if (c.Request.ContentLength is > MaxBody) throw new JsonException($"the arguments are larger than {MaxBody} bytes");
            using var body = new MemoryStream();
            await c.Request.Body.CopyToAsync(body, ct).ConfigureAwait(false);
            if (body.Length > MaxBody) throw new JsonException($"the arguments are larger than {MaxBody} bytes");
            args = body.Length == 0 ? [] : JsonNode.Parse(body.ToArray()) as JsonObject ?? throw new JsonException("the arguments must be a JSON object");
        }
        catch (JsonException e)
        {
            return Results.Json(Error("bad_args", e.Message), statusCode: StatusCodes.Status400BadRequest);
        }
        var detail = $"{name} {args.ToJsonString()}";
        if (!c.User.IsInRole(Roles.Technician) && !c.User.IsInRole(Roles.Admin))
        {
            await audit.WriteAsync(who, room.ToString(), "command", detail, "refused: a viewer cannot act on rooms", ct).ConfigureAwait(false);
            return Results.Json(Error("forbidden", "a viewer cannot act on rooms: ask a technician"), statusCode: StatusCodes.Status403Forbidden);
        }
        if (AgentCommands.Find(name) is not { } spec)
        {
            await audit.WriteAsync(who, room.ToString(), "command", detail, "refused: not an agent command", ct).ConfigureAwait(false);
            return Results.Json(Error("unknown_command", $"'{name}' is not an agent command ({string.Join(", ", AgentCommands.All.Select(x => x.Name))})"),
                statusCode: StatusCodes.Status400BadRequest);
        }
        try
        {
            spec.Check(args);
        }
        catch (CommandException e)
        {
            await audit.WriteAsync(who, room.ToString(), "command", detail, $"refused: {e.Code}: {e.Message}", ct).ConfigureAwait(false);
            return Results.Json(Error(e.Code, e.Message), statusCode: StatusCodes.Status400BadRequest);
        }
        if (live.Find(room.ToString()) is null)
        {
            await audit.WriteAsync(who, room.ToString(), "command", detail, "refused: no such room", ct).ConfigureAwait(false);
            return Results.Json(Error("unknown_room", $"the office knows no room {room}"), statusCode: StatusCodes.Status404NotFound);
        }
        try
        {
            var outcome = await live.SendAsync(room, name, args, spec.ReplyWait, ct).ConfigureAwait(false);
            var result = outcome.Reply switch
            {
                null => $"no reply within {spec.ReplyWait.TotalSeconds:0} s",
                { Ok: true } => "ok",
                var r => $"error {r.Error?.Code}: {r.Error?.Message}",
            };
            await audit.WriteAsync(who, room.ToString(), "command", detail, result, CancellationToken.None).ConfigureAwait(false);
            log.LogInformation("{Who} sent {Command} to {Room}: {Result}", who, name, room, result);
            if (outcome.Reply is not { } reply)
                return Results.Json(Error("timeout", $"the room did not answer within {spec.ReplyWait.TotalSeconds:0} s"), statusCode: StatusCodes.Status504GatewayTimeout);
            return Results.Text(JsonSerializer.Serialize(reply, ContractJson.Wire.ReplyPayload), "application/json");
        }
        catch (InvalidOperationException e)
        {
            await audit.WriteAsync(who, room.ToString(), "command", detail, $"failed: {e.Message}", CancellationToken.None).ConfigureAwait(false);
            return Results.Json(Error("unavailable", e.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>The room's upcoming lessons, windows and clashes (its <c>lessons</c> command: reading, so any signed-in user).</summary>
    private async Task<IResult> LessonsAsync(RoomAddress room, CancellationToken ct)
    {
        if (live.Find(room.ToString()) is null) return Results.Json(Error("unknown_room", $"the office knows no room {room}"), statusCode: StatusCodes.Status404NotFound);
        try
        {
            var outcome = await live.SendAsync(room, AgentCommands.Lessons.Name, new JsonObject { ["days"] = 7 }, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
            return outcome.Reply is { } reply
                ? Results.Text(JsonSerializer.Serialize(reply, ContractJson.Wire.ReplyPayload), "application/json")
                : Results.Json(Error("timeout", "the room did not answer within 10 s"), statusCode: StatusCodes.Status504GatewayTimeout);
        }
        catch (InvalidOperationException e)
        {
            return Results.Json(Error("unavailable", e.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static JsonObject Error(string code, string message) => new() { ["ok"] = false, ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };
}
