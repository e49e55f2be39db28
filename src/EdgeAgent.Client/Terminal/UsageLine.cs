using System.CommandLine;
using System.CommandLine.Parsing;

namespace EdgeAgent.Client.Terminal;

/// <summary>
/// A usage error of <c>edgeagent</c> or <c>edgeagent-ctl</c> in one line: the command, every fault once (a command
/// missing, an unknown option, the arguments missing by name, what an option's own check said), and where help is.
/// Both exit 64 (EX_USAGE) after it.
/// </summary>
public static class UsageLine
{
    public static string Of(ParseResult parsed, string program)
    {
        var command = parsed.CommandResult.Command;
        var name = command is RootCommand ? program : $"{program} {command.Name}";
        var reasons = new List<string>();
        if (command is RootCommand)
            reasons.Add($"a command is needed ({string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))})");
        foreach (var t in parsed.UnmatchedTokens)
            reasons.Add(t.StartsWith('-') ? $"unknown option '{t}'" : $"unexpected argument '{t}'");
        var missing = command.Arguments
            .Where(a => a.Arity.MinimumNumberOfValues > 0 && parsed.GetResult(a) is not { Tokens.Count: > 0 })
            .ToList();
        if (missing.Count > 0)
            reasons.Add($"missing {string.Join(" and ", missing.Select(a => a.Description is { Length: > 0 } d ? $"<{a.Name}> ({d.TrimEnd('.')})" : $"<{a.Name}>"))}");
        // What the options and arguments said themselves (required options, their validators and parsers), once each.
        foreach (var e in parsed.Errors)
        {
            if (e.SymbolResult is ArgumentResult a && missing.Contains(a.Argument)) continue;
            if (e.SymbolResult is not (OptionResult or ArgumentResult) && !(e.SymbolResult is CommandResult && IsRequiredOption(e.Message, command))) continue;
            // One line: a choice list comes one value per line from System.CommandLine.
            var message = System.Text.RegularExpressions.Regex.Replace(e.Message, @"\s*[\r\n]+\s*", " ").TrimEnd('.');
            if (!reasons.Contains(message)) reasons.Add(message);
        }
        if (reasons.Count == 0) reasons.AddRange(parsed.Errors.Select(e => e.Message.TrimEnd('.')).Distinct());
        return $"{name}: {string.Join("; ", reasons)} (see '{name} --help')";
    }

    /// <summary>A required option that was not given is reported on its command: keep that one (it names the option).</summary>
    private static bool IsRequiredOption(string message, Command command) =>
        command.Options.Any(o => o.Required && message.Contains($"'{o.Name}'", StringComparison.Ordinal));
}
