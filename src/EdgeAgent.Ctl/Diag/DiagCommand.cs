using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Ctl.Broker;
using EdgeAgent.Ctl.Fleet;

namespace EdgeAgent.Ctl.Diag;

/// <summary>
/// <c>edgeagent-ctl diag ROOM COMMAND [--arg k=v ...]</c>: sends one allow-listed command, shows that it is waiting,
/// prints the reply (readable or <c>--json</c>) and exits by <c>ok</c>; a snapshot's JPEG goes to a file.
/// </summary>
public static class DiagCommand
{
    /// <summary>The agent's allow-list (README, MQTT contract); anything else is refused here before it is sent.</summary>
    public static readonly string[] Commands =
        ["ping", "health", "device", "snapshot", "logs", "net-test", "compliance-check", "stream-restart", "lesson-start", "lesson-stop", "lessons"];

    /// <summary>Default waits: the measuring commands take longer than the rest.</summary>
    public static TimeSpan DefaultTimeout(string command) => command switch
    {
        "compliance-check" => TimeSpan.FromSeconds(180),
        "net-test" or "snapshot" => TimeSpan.FromSeconds(60),
        _ => TimeSpan.FromSeconds(15),
    };

    public static async Task<int> RunAsync(BrokerOptions broker, RoomAddress room, string command, IReadOnlyList<string> argPairs, TimeSpan? timeout,
        string? outFile, bool json, TextWriter output, TextWriter error, bool showProgress, CancellationToken ct)
    {
        if (!Commands.Contains(command))
            throw new CtlException($"edgeagent-ctl: '{command}' is not an agent command; the commands are: {string.Join(", ", Commands)}", CtlExit.Usage);
        var args = ParseArgs(argPairs);
        var wait = timeout ?? DefaultTimeout(command);
        var progress = showProgress
            ? (Action<TimeSpan>)(elapsed => error.Write($"\rwaiting for {room} to answer {command}: {elapsed.TotalSeconds:0} s of {wait.TotalSeconds:0} s "))
            : null;
        var outcome = await CommandRequester.SendAsync(broker, room, command, args, wait, progress, ct).ConfigureAwait(false);
        if (showProgress && outcome.Elapsed >= TimeSpan.FromSeconds(1)) error.WriteLine();

        if (!outcome.Answered)
        {
            var view = (await RetainedView.ReadAsync(broker, room.Region, room.School, room.Room, ct, TimeSpan.FromMilliseconds(300)).ConfigureAwait(false)).FirstOrDefault();
            var why = view?.Online switch
            {
                false => $"the room's agent is offline (its Last Will is on the broker; last heartbeat {TextTable.When(view.HealthAt)}). The command expired unanswered.",
                true => $"the agent is online but did not answer in time: the command may still be running (try --timeout {Math.Ceiling(wait.TotalSeconds * 2)}) or the agent is overloaded.",
                null => "the broker has never seen this room: check the name with `edgeagent-ctl rooms`.",
            };
            error.WriteLine($"edgeagent-ctl: no reply from {room} to {command} within {wait.TotalSeconds:0} s: {why}");
            return CtlExit.Timeout;
        }

        var reply = outcome.Reply!;
        if (outcome.Ok && command == "snapshot" && reply["result"]?["jpegBase64"]?.GetValue<string>() is { } b64)
        {
            var bytes = Convert.FromBase64String(b64);
            var path = outFile ?? $"snapshot-{room.Room}-{args["camera"]?.GetValue<string>() ?? "camera"}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.jpg";
            await File.WriteAllBytesAsync(path, bytes, ct).ConfigureAwait(false);
            ((JsonObject)reply["result"]!).Remove("jpegBase64");
            reply["result"]!["file"] = Path.GetFullPath(path);
        }
        if (json)
        {
            output.WriteLine(reply.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else if (outcome.Ok)
        {
            output.WriteLine($"{room} {command}: ok ({outcome.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
            output.WriteLine(reply["result"]?.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "{}");
        }
        else
        {
            var code = reply["error"]?["code"]?.GetValue<string>();
            output.WriteLine($"{room} {command}: error {code}: {reply["error"]?["message"]?.GetValue<string>()}");
            output.WriteLine($"  ({CommandRequester.Explain(code)})");
        }
        return outcome.Ok ? CtlExit.Ok : CtlExit.Failed;
    }

    /// <summary><c>k=v</c> pairs to a JSON object: a value that parses as JSON (number, true/false, array, object) is that, else a string.</summary>
    public static JsonObject ParseArgs(IReadOnlyList<string> pairs)
    {
        var args = new JsonObject();
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new CtlException($"edgeagent-ctl: --arg {pair}: write key=value", CtlExit.Usage);
            var key = pair[..eq];
            var text = pair[(eq + 1)..];
            JsonNode? value;
            try
            {
                value = text.Length > 0 && (char.IsDigit(text[0]) || text[0] is '-' or '[' or '{' || text is "true" or "false") ? JsonNode.Parse(text) : JsonValue.Create(text);
            }
            catch (JsonException)
            {
                value = JsonValue.Create(text);
            }
            if (args.ContainsKey(key)) throw new CtlException($"edgeagent-ctl: --arg {key} given twice", CtlExit.Usage);
            args[key] = value;
        }
        return args;
    }
}
