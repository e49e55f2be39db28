using System.Text.Json.Nodes;
using EdgeAgent.Streaming;

namespace EdgeAgent.Diagnostics;

/// <summary>
/// <c>stream-restart</c>: restarts the running lesson stream's encoder and uplink (not counted as a failure);
/// answers bad_args when no stream is running. The result is the stream's figures before the restart.
/// </summary>
public sealed class StreamRestartCommand(StreamService streams) : IDiagnosticCommand
{
    public string Name => "stream-restart";
    public TimeSpan Timeout => TimeSpan.FromSeconds(30);

    public Task<JsonNode> RunAsync(JsonObject args, CancellationToken ct)
    {
        CommandArgs.AllowOnly(args);
        if (streams.Current is not { } stream || stream.Stats.State is not (StreamState.Starting or StreamState.Running))
            throw new CommandException("bad_args", "no lesson stream is running");
        var stats = stream.Stats;
        stream.RequestRestart();
        return Task.FromResult<JsonNode>(new JsonObject
        {
            ["lesson"] = stats.LessonId, ["restarting"] = true, ["streamedSeconds"] = stats.StreamedSeconds, ["restarts"] = stats.Restarts,
        });
    }
}
