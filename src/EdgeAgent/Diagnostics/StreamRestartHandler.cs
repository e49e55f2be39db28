using System.Text.Json.Nodes;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Media;
using EdgeAgent.Media.Send;

namespace EdgeAgent.Diagnostics;

/// <summary>
/// <c>stream-restart</c>: restarts the running lesson stream's encoder and uplink (not counted as a failure);
/// answers bad_args when no stream is running. The result is the stream's figures before the restart.
/// </summary>
public sealed class StreamRestartHandler(StreamService streams) : ICommandHandler
{
    public CommandSpec Command => AgentCommands.StreamRestart;

    public Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct)
    {
        if (streams.Current is not { } stream || stream.Stats.State is not (StreamState.Starting or StreamState.Running))
            throw new CommandException(ReplyCodes.BadArgs, "no lesson stream is running");
        var stats = stream.Stats;
        stream.RequestRestart();
        return Task.FromResult<JsonNode>(new JsonObject
        {
            ["lesson"] = stats.LessonId, ["restarting"] = true, ["streamedSeconds"] = stats.StreamedSeconds, ["restarts"] = stats.Restarts,
        });
    }
}
