using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Diagnostics;

/// <summary><c>logs</c>: <c>{"lines": n ≤ 1000, "level": "Warning"}</c>, the newest log events at or above the level.</summary>
public sealed class LogsHandler(AgentOptions options) : ICommandHandler
{
    public CommandSpec Command => AgentCommands.Logs;

    public Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct)
    {
        var lines = args.Whole("lines") ?? 100;
        var levels = Words.All<LogLevelName>();
        var level = args.Text("level") ?? "Verbose";
        var minimum = levels.ToList().IndexOf(level);
        if (minimum < 0) throw new CommandException(ReplyCodes.BadArgs, $"'level' must be one of {string.Join(", ", levels)}");

        var files = Directory.Exists(options.LogsDirectory)
            ? new DirectoryInfo(options.LogsDirectory).GetFiles("edgeagent-*.json").OrderByDescending(f => f.LastWriteTimeUtc).ThenByDescending(f => f.Name).ToList()
            : [];
        var picked = new List<JsonNode>();
        foreach (var file in files)
        {
            string[] content;
            try
            {
                using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                content = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (IOException)
            {
                continue;
            }
            for (var i = content.Length - 1; i >= 0 && picked.Count < lines; i--)
            {
                JsonNode? e;
                try { e = JsonNode.Parse(content[i]); } catch (JsonException) { continue; }
                if (e is null) continue;
                var eventLevel = e["@l"]?.GetValue<string>() ?? "Information"; // compact JSON omits Information
                if (levels.ToList().IndexOf(eventLevel) >= minimum) picked.Add(e);
            }
            if (picked.Count >= lines) break;
        }
        picked.Reverse();
        JsonNode result = new JsonObject { ["count"] = picked.Count, ["events"] = new JsonArray(picked.ToArray()) };
        return Task.FromResult(result);
    }
}
