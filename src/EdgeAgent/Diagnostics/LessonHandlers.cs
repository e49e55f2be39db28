using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Lessons;

namespace EdgeAgent.Diagnostics;

/// <summary><c>lesson-start</c>: starts the lesson booked around now (prepared first if need be), or an ad-hoc lesson.</summary>
public sealed class LessonStartHandler(LessonRunner runner) : ICommandHandler
{
    public CommandSpec Command => AgentCommands.LessonStart;

    public async Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct)
    {
        try
        {
            var live = await runner.StartManualAsync("command").WaitAsync(ct).ConfigureAwait(false)
                ?? throw new CommandException(ReplyCodes.DeviceError, "the lesson's stream could not be started; its lesson record says why");
            return LessonsView.Live(live)!;
        }
        catch (InvalidOperationException e)
        {
            throw new CommandException(ReplyCodes.Busy, e.Message);
        }
    }
}

/// <summary><c>lesson-stop</c>: ends the running lesson now; its record is written as usual.</summary>
public sealed class LessonStopHandler(LessonRunner runner) : ICommandHandler
{
    public CommandSpec Command => AgentCommands.LessonStop;

    public async Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct)
    {
        var record = await runner.StopManualAsync("command").WaitAsync(ct).ConfigureAwait(false)
            ?? throw new CommandException(ReplyCodes.BadArgs, "no lesson is running");
        return JsonSerializer.SerializeToNode(record, ContractJson.Wire.LessonRecord)!;
    }
}

/// <summary><c>lessons</c>: <c>{"days": n ≤ 31}</c>, the upcoming lessons with their windows and clashes, and the lesson running now.</summary>
public sealed class LessonsHandler(LessonRunner runner) : ICommandHandler
{
    public CommandSpec Command => AgentCommands.Lessons;

    public Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct)
    {
        var days = args.Whole("days") ?? 7;
        var upcoming = new JsonArray(runner.Upcoming(days).Select(p => (JsonNode)LessonsView.Planned(p)).ToArray());
        return Task.FromResult<JsonNode>(new JsonObject
        {
            ["source"] = runner.Book.Source,
            ["live"] = LessonsView.Live(runner.Current),
            ["streaming"] = runner.IsStreaming,
            ["upcoming"] = upcoming,
        });
    }
}
