using System.Text.Json.Nodes;

namespace EdgeAgent.Diagnostics;

/// <summary>
/// One command a technician can run over MQTT (<c>cmd/{name}</c>). Only commands registered in DI exist:
/// that list is the allow-list. Arguments arrive as a JSON object already size- and depth-checked; each command
/// checks its own and throws <see cref="CommandException"/> with a stable code.
/// </summary>
public interface IDiagnosticCommand
{
    string Name { get; }
    /// <summary>How long the command may run before it is answered with <c>timeout</c>.</summary>
    TimeSpan Timeout { get; }
    /// <summary>False for commands so cheap that they are always served (ping), so a flood cannot hide that the agent is alive.</summary>
    bool RateLimited => true;
    Task<JsonNode> RunAsync(JsonObject args, CancellationToken cancellationToken);
}

/// <summary>A command failure with a code from the reply contract (bad_args, unknown_device, device_error, timeout ...).</summary>
public sealed class CommandException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>Argument helpers: typed, bounded, with messages that name the argument.</summary>
public static class CommandArgs
{
    public static void AllowOnly(JsonObject args, params string[] names)
    {
        foreach (var (key, _) in args)
            if (!names.Contains(key))
                throw new CommandException("bad_args", $"unknown argument '{Devices.DeviceActions.Printable(key)}'" + (names.Length == 0 ? " (this command takes none)" : $" (expected {string.Join(", ", names)})"));
    }

    public static string? String(JsonObject args, string name, int maxLength, bool required)
    {
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
            return required ? throw new CommandException("bad_args", $"'{name}' is required") : null;
        if (node.GetValueKind() != System.Text.Json.JsonValueKind.String)
            throw new CommandException("bad_args", $"'{name}' must be a string");
        var value = node.GetValue<string>();
        if (value.Length == 0 || value.Length > maxLength)
            throw new CommandException("bad_args", $"'{name}' must be 1..{maxLength} characters");
        return value;
    }

    public static int? Int(JsonObject args, string name, int min, int max)
    {
        if (!args.TryGetPropertyValue(name, out var node) || node is null) return null;
        if (node.GetValueKind() != System.Text.Json.JsonValueKind.Number || !node.AsValue().TryGetValue<int>(out var value))
            throw new CommandException("bad_args", $"'{name}' must be a whole number");
        if (value < min || value > max) throw new CommandException("bad_args", $"'{name}' must be in {min}..{max}");
        return value;
    }
}
