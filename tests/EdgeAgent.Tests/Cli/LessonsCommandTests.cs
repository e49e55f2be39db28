using System.Text.Json.Nodes;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Cli;

/// <summary><c>edgeagent lessons</c>, the real executable on seed 001's timetables.</summary>
public sealed class LessonsCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Config(JsonArray bookings, Action<JsonObject>? edit = null)
    {
        var config = TestConfig.Minimal(_dir.Path);
        config["school"] = LessonRig.Own;
        config["role"] = "main";
        config["lessons"] = new JsonObject { ["timetables"] = LessonRig.SeedTimetables(), ["bookings"] = bookings };
        edit?.Invoke(config);
        return TestConfig.Write(_dir, config);
    }

    [Fact]
    public async Task Lists_the_weeks_lessons_with_shared_windows_and_exits_1_on_a_clash()
    {
        var path = Config([
            LessonRig.Booking("mon-p1", "2022-11-14", "1"),
            LessonRig.Booking("wed-p4", "2022-11-16", "4", subject: "science"),
            LessonRig.Booking("thu-p3", "2022-11-17", "3", form: "RemoteDelivery", subject: "english"),
            LessonRig.Booking("next-month", "2022-12-14", "1"),
        ]);
        var (code, stdout, stderr) = await AgentProcess.RunAsync("lessons", "--config", path, "--from", "2022-11-14");
        Assert.True(code == 1, $"exit {code}\n{stdout}\n{stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("mon-p1") && l.Contains("08:30-09:05") && l.Contains("shared 35 min"));
        Assert.Contains(lines, l => l.Contains("wed-p4") && l.Contains("13:20-13:40") && l.Contains("CLASH") && l.Contains("only 20 min"));
        Assert.Contains(lines, l => l.Contains("thu-p3") && l.Contains("10:35-11:15") && l.Contains("own period"));
        Assert.DoesNotContain("next-month", stdout);

        var (jsonCode, json, _) = await AgentProcess.RunAsync("lessons", "--config", path, "--from", "2022-11-14", "--days", "2", "--json");
        Assert.Equal(0, jsonCode); // Monday and Tuesday: no clash
        var upcoming = JsonNode.Parse(json)!["upcoming"]!.AsArray();
        Assert.Equal("mon-p1", (string)Assert.Single(upcoming)!["booking"]!);
        Assert.Equal(35, (int)upcoming[0]!["overlapMinutes"]!);
    }

    [Fact]
    public async Task A_booking_on_a_period_the_school_does_not_have_fails_the_config_naming_the_field()
    {
        var path = Config([LessonRig.Booking("x", "2022-11-14", "9")]);
        var (code, _, stderr) = await AgentProcess.RunAsync("lessons", "--config", path);
        Assert.Equal(78, code);
        Assert.Contains("lessons.bookings[0].period", stderr);
    }

    [Fact]
    public async Task Tallies_of_an_empty_room_show_the_targets_unmet()
    {
        var path = Config([]);
        new StateDatabase(Path.Combine(_dir.Path, "state"), Microsoft.Extensions.Logging.Abstractions.NullLogger<StateDatabase>.Instance).Migrate(); // the agent ran, nothing was taught
        var (code, stdout, _) = await AgentProcess.RunAsync("lessons", "--config", path, "--tallies", "--from", "2022-11-14");
        Assert.Equal(0, code);
        Assert.Contains("school year 2022-2023 (0 lessons counted", stdout);
        Assert.Contains("[ ] synchronized lessons in all: 0 of 20", stdout);
    }

    [Fact]
    public async Task Tallies_without_a_state_database_say_so_instead_of_printing_zeros()
    {
        var (code, stdout, stderr) = await AgentProcess.RunAsync("lessons", "--config", Config([]), "--tallies");
        Assert.Equal(EdgeAgent.Cli.ExitCodes.NoStateDatabase, code);
        Assert.Equal("", stdout);
        Assert.Contains($"no state database at {Path.Combine(_dir.Path, "state", "state.db")}", stderr);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "state", "state.db")), "reading must not create the database");
    }

    [Fact]
    public async Task Bookings_from_the_office_are_named_as_such_before_the_first_document()
    {
        var path = Config([], c => c["lessons"]!["bookingsSource"] = "mqtt");
        var (code, stdout, stderr) = await AgentProcess.RunAsync("lessons", "--config", path);
        Assert.True(code == 0, stderr);
        Assert.Contains("bookings from the office's timetable document (none received yet)", stdout);
    }
}
