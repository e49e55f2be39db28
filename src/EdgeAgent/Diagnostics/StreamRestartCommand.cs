using System.Text.Json.Nodes;

namespace EdgeAgent.Diagnostics;

/// <summary><c>stream-restart</c>: restarts the lesson stream; answers bad_args when no stream is running.</summary>
public sealed class StreamRestartCommand : IDiagnosticCommand
{
    public string Name => "stream-restart";
    public TimeSpan Timeout => TimeSpan.FromSeconds(30);

    public Task<JsonNode> RunAsync(JsonObject args, CancellationToken ct)
    {
        CommandArgs.AllowOnly(args);
        throw new CommandException("bad_args", "no lesson stream is running");
    }
}
