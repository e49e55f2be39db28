using System.Text.Json.Nodes;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Tests.TestSupport;
using static EdgeAgent.Tests.TestSupport.LessonRig;

namespace EdgeAgent.Tests.Lessons;

/// <summary>
/// Every booked period of the room ends as exactly one record: a lesson, or a <c>missed</c> one with its reason (and a
/// <c>lesson-missed</c> event). On the fake clock, with the simulated classroom and real streams.
/// </summary>
public sealed class MissedLessonTests : LessonRigTest
{
    public override Task InitializeAsync()
    {
        Room.Camera1.StorePreset(1, 100, 20, 0x1000);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_start_that_falls_due_while_another_step_runs_is_started_late_not_skipped()
    {
        // The defect as found: an ad-hoc one-minute lesson ends 30 s before booked period 1, with no preparation time and
        // no display grace, so the end of the ad-hoc lesson turns the display off just as period 1 falls due.
        var rig = Rig(At("2022-11-14", "08:28"), new JsonArray(Booking("mon-p1", "2022-11-14", "1")), c =>
        {
            c["lessons"]!["prepareMinutes"] = 0;
            c["lessons"]!["displayOffGraceMinutes"] = 0;
            c["lessons"]!["adhocMinutes"] = 1;
            // The display's answer is held as long as the test needs; the driver waits for it rather than timing out
            // (a timed-out POWR 0 that the display carries out later would turn the new lesson's display off).
            foreach (var d in c["devices"]!.AsArray()) if ((string?)d!["id"] == "display1") d["timeoutMs"] = 60_000;
        });
        await rig.StartAsync();
        rig.Time.Advance(TimeSpan.FromSeconds(30));
        var adhoc = await rig.Runner.StartManualAsync("command");
        Assert.Null(adhoc!.Booking);
        await Eventually.True(() => rig.Runner.IsStreaming, TimeSpan.FromSeconds(60), "the ad-hoc lesson streaming");

        // The display answers late: while the runner turns it off (08:29:30), the clock passes 08:30.
        Room.Display.Faults.Set(Fault.Held);
        var offsBefore = Room.Display.Received.Count(l => l.Contains("POWR 0", StringComparison.Ordinal));
        await rig.Idle();
        rig.Time.Advance(At("2022-11-14", "08:29").AddSeconds(30) - rig.Time.GetUtcNow());
        await Eventually.True(() => Room.Display.Received.Count(l => l.Contains("POWR 0", StringComparison.Ordinal)) > offsBefore,
            TimeSpan.FromSeconds(30), "the display-off step under way");
        Assert.Null(rig.Runner.LoopState.WaitingUntil); // the runner is inside that step
        rig.Time.Advance(TimeSpan.FromSeconds(45)); // 08:30:15: period 1 is due while the step still runs
        Assert.Null(rig.Runner.Current?.Booking);
        Room.Display.Faults.Clear();
        Room.Display.Faults.ReleaseHeld();

        await Eventually.True(() => rig.Runner.Current?.Booking?.Id == "mon-p1", TimeSpan.FromSeconds(60), "period 1 started late");
        Assert.True(rig.DisplayOn, $"display power state {Room.Display.PowerState}");
        var record = await rig.EndsAt(At("2022-11-14", "09:05"), 1);
        Assert.Equal("mon-p1", record.BookingId);
        Assert.NotEqual(LessonStatus.Missed, record.Status);
        Assert.DoesNotContain(rig.Raised, e => e.Type == "lesson-missed");
    }

    [Fact]
    public async Task A_window_that_passes_while_the_agent_is_down_becomes_a_missed_record_with_an_event()
    {
        var bookings = new JsonArray(Booking("mon-p1", "2022-11-14", "1"), Booking("mon-p2", "2022-11-14", "2"));
        var first = Rig(At("2022-11-14", "07:50"), bookings);
        await first.StartAsync();
        await first.AdvanceTo(At("2022-11-14", "08:00"));
        await first.StopAgentAsync(); // down from 08:00 ...

        var second = Rig(At("2022-11-14", "09:12"), bookings); // ... to 09:12, after period 1 (08:30-09:05), before period 2's preparation
        await second.StartAsync();
        await Eventually.True(() => second.Records.Count == 1, TimeSpan.FromSeconds(30), "the missed record");
        var missed = second.Records.Single();
        Assert.Equal(LessonStatus.Missed, missed.Status);
        Assert.Equal("mon-p1", missed.BookingId);
        Assert.Contains("the agent was not running", missed.Reason);
        Assert.Equal(At("2022-11-14", "08:30"), missed.PlannedStart);
        Assert.Null(missed.ActualStart);
        var e = Assert.Single(second.Raised, e => e.Type == "lesson-missed");
        Assert.Contains("mon-p1", e.Detail);
        Assert.Equal(missed.Id, Assert.Single(second.Store.Records()).Id);

        // Period 2 runs as booked, and nothing is missed twice.
        await second.StartsStreamingAt(At("2022-11-14", "09:20"));
        var record = await second.EndsAt(At("2022-11-14", "10:00"), 1);
        Assert.Equal(LessonStatus.Completed, record.Status);
        Assert.Equal(["mon-p1", "mon-p2"], second.Store.Records().Select(r => r.BookingId));
        Assert.Single(second.Raised, e => e.Type == "lesson-missed");
    }

    [Fact]
    public async Task A_window_that_passes_during_another_lesson_is_missed_naming_that_lesson()
    {
        var rig = Rig(At("2022-11-14", "08:20"), new JsonArray(Booking("mon-p1", "2022-11-14", "1")), c => c["lessons"]!["adhocMinutes"] = 60);
        await rig.StartAsync();
        await rig.Runner.StartManualAsync("command"); // an ad-hoc lesson 08:20-09:20 covers period 1 (08:30-09:05)
        await Eventually.True(() => rig.Runner.IsStreaming, TimeSpan.FromSeconds(60), "the ad-hoc lesson");
        await rig.AdvanceTo(At("2022-11-14", "09:05"));
        await Eventually.True(() => rig.Records.Count == 1, TimeSpan.FromSeconds(30), "the missed record");
        var missed = rig.Records.Single();
        Assert.Equal(LessonStatus.Missed, missed.Status);
        Assert.Contains("another lesson (ad hoc, started by command) was on air", missed.Reason);
        Assert.NotNull(rig.Runner.Current); // the ad-hoc lesson goes on
    }

    [Fact]
    public async Task Bookings_from_before_the_room_was_installed_are_not_missed()
    {
        var rig = Rig(At("2022-11-16", "12:00"), new JsonArray(Booking("mon-p1", "2022-11-14", "1"), Booking("wed-p4", "2022-11-16", "4")));
        await rig.StartAsync();
        await rig.AdvanceTo(At("2022-11-16", "13:00"));
        Assert.Empty(rig.Records);
        Assert.DoesNotContain(rig.Raised, e => e.Type == "lesson-missed");
    }
}
