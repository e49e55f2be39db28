using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Client.Broker;
using EdgeAgent.Client.Terminal;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Ctl.Broker;
using EdgeAgent.Contract.Time;
using EdgeAgent.Ctl.Fleet;

namespace EdgeAgent.Ctl.Diag;

/// <summary>
/// <c>edgeagent-ctl diag ROOM COMMAND [--arg k=v ...]</c>: sends one command of the contract's allow-list (its
/// arguments checked here first, as the agent will check them), shows that it is waiting, prints the reply (readable
/// or <c>--json</c>) and exits by <c>ok</c>; a snapshot's JPEG goes to a file; a compliance report prints as the
/// Chinese/English table of <c>edgeagent check</c>.
/// </summary>
public static class DiagCommand
{
    public static async Task<int> RunAsync(BrokerOptions broker, RoomAddress room, string command, IReadOnlyList<string> argPairs, TimeSpan? timeout,
        string? outFile, bool json, TextWriter output, TextWriter error, bool showProgress, CancellationToken ct)
    {
        if (AgentCommands.Find(command) is not { } spec)
            throw new CtlException($"edgeagent-ctl: '{Printable.Of(command)}' is not an agent command; the commands are: {string.Join(", ", AgentCommands.All.Select(c => c.Name))}", CtlExit.Usage);
        var args = ParseArgs(argPairs);
        try
        {
            spec.Check((JsonObject)args.DeepClone());
        }
        catch (CommandException e)
        {
            throw new CtlException($"edgeagent-ctl: {command}: {e.Message}", CtlExit.Usage);
        }
        var wait = timeout ?? spec.ReplyWait;
        var progress = showProgress
            ? (Action<TimeSpan>)(elapsed => error.Write($"\rwaiting for {room} to answer {command}: {elapsed.TotalSeconds:0} s of {wait.TotalSeconds:0} s "))
            : null;
        var outcome = await RoomRequest.SendAsync(broker, room, command, args, wait, progress, ct).ConfigureAwait(false);
        if (showProgress && outcome.Elapsed >= TimeSpan.FromSeconds(1)) error.WriteLine();

        if (!outcome.Answered)
        {
            var view = (await RetainedView.ReadAsync(broker, room.Region, room.School, room.Room, ct, TimeSpan.FromMilliseconds(300)).ConfigureAwait(false)).FirstOrDefault();
            var why = view?.Online switch
            {
                false => $"the room's agent is offline (its Last Will is on the broker; last heartbeat {SchoolTime.Minutes(view.HealthAt)}). The command expired unanswered.",
                true => $"the agent is online but did not answer in time: the command may still be running (try --timeout {Math.Ceiling(wait.TotalSeconds * 2)}) or the agent is overloaded.",
                null => "the broker has never seen this room: check the name with `edgeagent-ctl rooms`.",
            };
            error.WriteLine($"edgeagent-ctl: no reply from {room} to {command} within {wait.TotalSeconds:0} s: {why}");
            return CtlExit.Timeout;
        }

        var reply = outcome.Reply!;
        var result = reply.Result as JsonObject;
        if (reply.Ok && command == AgentCommands.Snapshot.Name && result?["jpegBase64"]?.GetValue<string>() is { } b64)
        {
            var bytes = Convert.FromBase64String(b64);
            var path = outFile ?? $"snapshot-{room.Room}-{args["camera"]?.GetValue<string>() ?? "camera"}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.jpg";
            await File.WriteAllBytesAsync(path, bytes, ct).ConfigureAwait(false);
            result.Remove("jpegBase64");
            result["file"] = Path.GetFullPath(path);
        }
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(reply, ContractJson.Pretty.ReplyPayload));
        }
        else if (reply.Ok)
        {
            output.WriteLine($"{room} {command}: ok ({outcome.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
            if (command == AgentCommands.ComplianceCheck.Name && Report(result) is { } report)
                ComplianceTable.Write(report, output, color: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
            else
                output.WriteLine(reply.Result is null ? "{}" : JsonSerializer.Serialize(reply.Result, ContractJson.Pretty.JsonNode));
        }
        else
        {
            var code = reply.Error?.Code;
            output.WriteLine($"{room} {command}: error {code}: {reply.Error?.Message}");
            output.WriteLine($"  ({(code == "bad_reply" ? "the reply could not be read" : ReplyCodes.Explain(code))})");
        }
        return reply.Ok ? CtlExit.Ok : CtlExit.Failed;
    }

    private static ComplianceReport? Report(JsonObject? result)
    {
        try
        {
            return result?.Deserialize(ContractJson.Wire.ComplianceReport);
        }
        catch (JsonException)
        {
            return null;
        }
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
