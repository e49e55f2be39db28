using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Lessons;

namespace EdgeAgent.Diagnostics;

/// <summary><c>lesson-start</c>: starts the lesson booked around now (prepared first if need be), or an ad-hoc lesson.</summary>
public sealed class LessonStartCommand(LessonRunner runner) : IDiagnosticCommand
{
    public string Name => "lesson-start";
    public TimeSpan Timeout => TimeSpan.FromSeconds(60);

    public async Task<JsonNode> RunAsync(JsonObject args, CancellationToken ct)
    {
        CommandArgs.AllowOnly(args);
        try
        {
            var live = await runner.StartManualAsync("command").WaitAsync(ct).ConfigureAwait(false);
            return LessonsCommand.Live(live)!;
        }
        catch (InvalidOperationException e)
        {
            throw new CommandException("busy", e.Message);
        }
    }
}

/// <summary><c>lesson-stop</c>: ends the running lesson now; its record is written as usual.</summary>
public sealed class LessonStopCommand(LessonRunner runner) : IDiagnosticCommand
{
    public string Name => "lesson-stop";
    public TimeSpan Timeout => TimeSpan.FromSeconds(60);

    public async Task<JsonNode> RunAsync(JsonObject args, CancellationToken ct)
    {
        CommandArgs.AllowOnly(args);
        var record = await runner.StopManualAsync("command").WaitAsync(ct).ConfigureAwait(false)
            ?? throw new CommandException("bad_args", "no lesson is running");
        return JsonNode.Parse(JsonSerializer.Serialize(record, LessonJson.Default.LessonRecord))!;
    }
}

/// <summary><c>lessons</c>: <c>{"days": n ≤ 31}</c>, the upcoming lessons with their windows and clashes, and the lesson running now.</summary>
public sealed class LessonsCommand(LessonRunner runner) : IDiagnosticCommand
{
    public string Name => "lessons";
    public TimeSpan Timeout => TimeSpan.FromSeconds(10);

    public Task<JsonNode> RunAsync(JsonObject args, CancellationToken ct)
    {
        CommandArgs.AllowOnly(args, "days");
        var days = CommandArgs.Int(args, "days", 1, 31) ?? 7;
        var upcoming = new JsonArray();
        foreach (var p in runner.Upcoming(days)) upcoming.Add((JsonNode)Planned(p));
        return Task.FromResult<JsonNode>(new JsonObject
        {
            ["source"] = runner.Book.Source,
            ["live"] = Live(runner.Current),
            ["streaming"] = runner.IsStreaming,
            ["upcoming"] = upcoming,
        });
    }

    internal static JsonObject Planned(PlannedLesson p) => new()
    {
        ["booking"] = p.Booking.Id, ["date"] = p.Booking.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ["period"] = p.Booking.Period, ["form"] = p.Booking.Form, ["subject"] = p.Booking.Subject, ["role"] = p.Booking.Role,
        ["partnerSchool"] = p.Booking.PartnerSchool, ["teacher"] = p.Booking.Teacher,
        ["prepareAt"] = p.PrepareAt, ["start"] = p.Start, ["end"] = p.End,
        ["clash"] = p.IsClash, ["overlapMinutes"] = p.Shared?.OverlapMinutes, ["note"] = p.Shared?.Reason,
    };

    internal static JsonObject? Live(LiveLesson? live) => live is null ? null : new JsonObject
    {
        ["id"] = live.Id, ["booking"] = live.Booking?.Id, ["startedBy"] = live.StartedBy, ["start"] = live.ActualStart, ["plannedEnd"] = live.PlannedEnd,
        ["gaps"] = live.Gaps.Count, ["devicesFailed"] = new JsonArray(live.DevicesFailed.Select(d => (JsonNode?)d).ToArray()),
    };
}
