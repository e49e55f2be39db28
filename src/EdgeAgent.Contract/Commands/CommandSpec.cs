using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Contract.Commands;

public enum ArgumentKind
{
    /// <summary>A string of 1..MaxLength characters.</summary>
    Text,
    /// <summary>A whole number in Min..Max.</summary>
    Whole,
    /// <summary>A list of at most Max strings or numbers, each of at most MaxLength characters.</summary>
    List,
}

/// <summary>One argument of a command: its name, kind, bounds and what it is for.</summary>
public sealed record ArgumentSpec(string Name, ArgumentKind Kind, string Help, bool Required = false, int Min = 0, int Max = int.MaxValue, int MaxLength = 64);

/// <summary>
/// One command of the allow-list: its name on <c>cmd/{name}</c>, its arguments, how long the agent lets it run, and
/// whether it is rate-limited (ping is not, so a flood cannot hide that the agent is alive).
/// </summary>
public sealed record CommandSpec(string Name, string Summary, TimeSpan Timeout, IReadOnlyList<ArgumentSpec> Arguments, bool RateLimited = true)
{
    /// <summary>How long a requester waits for the reply: the command's own limit and some for the way there and back.</summary>
    public TimeSpan ReplyWait => TimeSpan.FromSeconds(Math.Max(15, Timeout.TotalSeconds + 10));

    /// <summary>Checks a request's arguments against this command (unknown names, kinds, bounds); throws <see cref="CommandException"/> with <c>bad_args</c>.</summary>
    public CommandArguments Check(JsonObject args)
    {
        foreach (var (key, _) in args)
        {
            if (Arguments.All(a => a.Name != key))
                throw new CommandException(ReplyCodes.BadArgs, $"unknown argument '{Printable.Of(key)}'" +
                    (Arguments.Count == 0 ? " (this command takes none)" : $" (expected {string.Join(", ", Arguments.Select(a => a.Name))})"));
        }
        foreach (var a in Arguments)
        {
            if (!args.TryGetPropertyValue(a.Name, out var node) || node is null)
            {
                if (a.Required) throw new CommandException(ReplyCodes.BadArgs, $"'{a.Name}' is required");
                continue;
            }
            switch (a.Kind)
            {
                case ArgumentKind.Text:
                    if (node.GetValueKind() != JsonValueKind.String) throw new CommandException(ReplyCodes.BadArgs, $"'{a.Name}' must be a string");
                    var text = node.GetValue<string>();
                    if (text.Length == 0 || text.Length > a.MaxLength) throw new CommandException(ReplyCodes.BadArgs, $"'{a.Name}' must be 1..{a.MaxLength} characters");
                    break;
                case ArgumentKind.Whole:
                    if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<int>(out var n))
                        throw new CommandException(ReplyCodes.BadArgs, $"'{a.Name}' must be a whole number");
                    if (n < a.Min || n > a.Max) throw new CommandException(ReplyCodes.BadArgs, $"'{a.Name}' must be in {a.Min}..{a.Max}");
                    break;
                case ArgumentKind.List:
                    if (node is not JsonArray array || array.Count > a.Max)
                        throw new CommandException(ReplyCodes.BadArgs, $"'{a.Name}' must be a list of at most {a.Max} strings or numbers");
                    foreach (var item in array)
                    {
                        var kind = item?.GetValueKind();
                        if (kind is not (JsonValueKind.String or JsonValueKind.Number))
                            throw new CommandException(ReplyCodes.BadArgs, $"'{a.Name}' must be a list of strings or numbers");
                        if ((kind == JsonValueKind.String ? item!.GetValue<string>() : item!.ToJsonString()).Length > a.MaxLength)
                            throw new CommandException(ReplyCodes.BadArgs, $"an argument is longer than {a.MaxLength} characters");
                    }
                    break;
            }
        }
        return new CommandArguments(args);
    }
}

/// <summary>A request's arguments after <see cref="CommandSpec.Check"/>: read without further checks.</summary>
public sealed class CommandArguments(JsonObject args)
{
    public string? Text(string name) => args[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public int? Whole(string name) => args[name] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;

    /// <summary>A list argument: each item as text, and as a number when it was one in the JSON.</summary>
    public IReadOnlyList<ActionArgument> List(string name) =>
        args[name] is JsonArray array
            ? array.Select(i => i!.GetValueKind() == JsonValueKind.Number
                ? new ActionArgument(i.ToJsonString(), i.GetValue<double>())
                : new ActionArgument(i.GetValue<string>(), null)).ToList()
            : [];
}

/// <summary>One argument of a device action: the text a technician typed, and the number when JSON sent one.</summary>
public readonly record struct ActionArgument(string Text, double? Number)
{
    public static implicit operator ActionArgument(string text) => new(text, null);
    public override string ToString() => Text;
}

/// <summary>A command failure with a code from the reply contract (<see cref="ReplyCodes"/>).</summary>
public sealed class CommandException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>What runs one command of the allow-list in the agent. The router knows handlers by this interface only.</summary>
public interface ICommandHandler
{
    CommandSpec Command { get; }
    Task<JsonNode> RunAsync(CommandArguments args, CancellationToken cancellationToken);
}

/// <summary>User text echoed in a message: printable ASCII only, bounded, so that a hostile request cannot paint a log or a terminal.</summary>
public static class Printable
{
    public static string Of(string s)
    {
        var clean = new string(s.Take(40).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
        return s.Length > 40 ? clean + "…" : clean;
    }
}
