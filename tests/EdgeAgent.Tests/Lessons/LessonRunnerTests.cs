using System.Text.Json.Nodes;
using EdgeAgent.Lessons;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Tests.TestSupport;
using static EdgeAgent.Tests.TestSupport.LessonRig;

namespace EdgeAgent.Tests.Lessons;

/// <summary>The lesson runner on a fake clock against the simulated classroom, with real ffmpeg streams.</summary>
public sealed class LessonRunnerTests : LessonRigTest
{
    public override Task InitializeAsync()
    {
        // What an installer stored on site: cam1's teacher view is preset 1, its student view preset 3; cam2 shows the students.
        Room.Camera1.StorePreset(1, 100, 20, 0x1000);
        Room.Camera1.StorePreset(3, -200, 10, 0);
        Room.Camera2.StorePreset(1, 50, 0, 0);
        return Task.CompletedTask;
    }

    private sealed record Expected(string Booking, string Date, string Period, string Form, string Subject, string Start, string End);

    [Fact]
    public async Task A_week_of_bookings_prepares_the_room_streams_on_time_and_writes_one_record_per_lesson()
    {
        Expected[] week =
        [
            new("mon-p1", "2022-11-14", "1", "SyncClassroom", "maths", "08:30", "09:05"),      // shared 35 min
            new("tue-p2", "2022-11-15", "2", "SyncClassroom", "chinese", "09:20", "10:00"),    // shared 40 min
            new("wed-p4", "2022-11-16", "4", "SyncClassroom", "science", "13:20", "13:40"),    // a clash: only 20 min shared
            new("thu-p3", "2022-11-17", "3", "RemoteDelivery", "english", "10:35", "11:15"),   // own period
            new("fri-p1", "2022-11-18", "1", "TeacherResearch", "maths", "08:30", "09:10"),    // own period
            new("fri-p2", "2022-11-18", "2", "SyncClassroom", "maths", "09:20", "10:00"),      // right after: the display stays on
        ];
        var bookings = new JsonArray(week.Select(w => (JsonNode)Booking(w.Booking, w.Date, w.Period, w.Form, w.Subject)).ToArray());
        var rig = Rig(At("2022-11-14", "07:00"), bookings);
        await rig.StartAsync();

        // Loading the bookings raised the clash of Wednesday's period 4 (within the 7-day lookahead).
        await Eventually.True(() => rig.Raised.Any(e => e.Type == "timetable-clash"), TimeSpan.FromSeconds(10), "the clash event");
        var clash = Assert.Single(rig.Raised, e => e.Type == "timetable-clash");
        Assert.Contains("wed-p4", clash.Detail);
        Assert.Contains("20 min", clash.Detail);

        for (var i = 0; i < week.Length; i++)
        {
            var w = week[i];
            var start = At(w.Date, w.Start);
            var end = At(w.Date, w.End);
            var afterPrevious = i > 0 && week[i - 1].Date == w.Date;

            await rig.AdvanceTo(start.AddMinutes(-5).AddSeconds(-1));
            if (!afterPrevious)
            {
                Assert.True(rig.DisplayOff, $"{w.Booking}: display on before preparation");
                Assert.True(rig.LightOff);
            }

            // Five minutes before the shared window: display on with the lesson input, cam1 to the teacher, mics open, light blinking.
            await rig.AdvanceTo(start.AddMinutes(-5));
            await Eventually.True(() => rig.DisplayOn && Room.Display.Input == "31" && Room.Camera1.LastRecalledPreset == 1 && !Room.Mic.Muted && rig.LightBlinking,
                TimeSpan.FromSeconds(20), $"{w.Booking}: the room prepared");
            Assert.Null(rig.Streams.Current);
            Assert.Null(Room.Camera2.LastRecalledPreset); // cam2 has no teacher view and stays put

            // At the start of the window the stream starts and the light goes steady.
            await rig.StartsStreamingAt(start);
            Assert.True(rig.LightOn);
            Assert.Equal(w.Booking, rig.Streams.Current!.LessonId);

            // At the end: stream stopped, mics muted, light out, one record.
            var record = await rig.EndsAt(end, i);
            Assert.Null(rig.Streams.Current);
            Assert.True(Room.Mic.Muted);
            Assert.True(rig.LightOff);
            Assert.True(rig.DisplayOn);

            Assert.Equal(LessonStatus.Completed, record.Status);
            Assert.Equal(w.Booking, record.BookingId);
            Assert.Equal(w.Form, record.Form);
            Assert.Equal(w.Subject, record.Subject);
            Assert.Equal(Partner, record.PartnerSchool);
            Assert.Equal("王老师", record.Teacher);
            Assert.Equal(28, record.Students);
            Assert.Equal(w.Period, record.Period);
            Assert.Equal(start, record.PlannedStart);
            Assert.Equal(end, record.PlannedEnd);
            Assert.Equal(start, record.ActualStart);
            Assert.Equal(end, record.ActualEnd);
            Assert.Equal((end - start).TotalSeconds, record.Stream.SecondsStreamed);
            Assert.Equal(100, record.Stream.UptimePercent);
            Assert.Equal(0, record.Stream.Restarts);
            Assert.True(record.Stream.Bytes > 0);
            Assert.Empty(record.Gaps);
            Assert.Empty(record.DevicesFailed);
            Assert.Equal("timetable", record.StartedBy);

            // The day's last lesson: the display goes off after the ten-minute grace period.
            if (i + 1 < week.Length && week[i + 1].Date != w.Date)
            {
                await rig.AdvanceTo(end.AddMinutes(10));
                await Eventually.True(() => rig.DisplayOff, TimeSpan.FromSeconds(20), $"{w.Booking}: the display off after the grace period");
            }
        }

        // Friday: the display stayed on from period 1 into period 2 and goes off ten minutes after the last lesson.
        await rig.AdvanceTo(At("2022-11-18", "10:09"));
        Assert.True(rig.DisplayOn);
        await rig.AdvanceTo(At("2022-11-18", "10:10"));
        await Eventually.True(() => rig.DisplayOff, TimeSpan.FromSeconds(20), "the display off after the grace period");

        // One record per lesson, stored, queued for the office, and tallied.
        Assert.Equal(week.Length, rig.Records.Count);
        Assert.Equal(week.Select(w => w.Booking), rig.Store.Records().Select(r => r.BookingId));
        Assert.Equal(week.Length, rig.Outbox.Peek(1000).Count(m => m.Kind == OutboxKind.Lesson));
        Assert.Contains(rig.Outbox.Peek(1000), m => m.Kind == OutboxKind.Tallies && m.Retain);
        Assert.DoesNotContain(rig.Raised, e => e.Type is "lesson-failed" or "lesson-device-failed");
    }

    [Fact]
    public async Task An_agent_restart_mid_lesson_resumes_it_and_the_record_shows_the_gap()
    {
        var bookings = new JsonArray(Booking("mon-p1", "2022-11-14", "1"));
        var first = Rig(At("2022-11-14", "08:00"), bookings);
        await first.StartAsync();
        await first.StartsStreamingAt(At("2022-11-14", "08:30"));
        await first.AdvanceTo(At("2022-11-14", "08:40"));
        await first.StopAgentAsync(); // the agent goes down at 08:40 ...
        Assert.Empty(first.Records);

        // ... and comes back at 08:45.
        var second = Rig(At("2022-11-14", "08:45"), bookings);
        await second.StartAsync();
        await Eventually.True(() => second.Runner.IsStreaming, TimeSpan.FromSeconds(60), "the resumed stream");
        var record = await second.EndsAt(At("2022-11-14", "09:05"), 0);

        var gap = Assert.Single(record.Gaps);
        Assert.Equal(At("2022-11-14", "08:40"), gap.From);
        Assert.Equal(At("2022-11-14", "08:45"), gap.To);
        Assert.Equal(300, gap.Seconds);
        Assert.Equal(35 * 60 - 300, record.Stream.SecondsStreamed);
        Assert.Equal(LessonStatus.Partial, record.Status); // 85.7 % streamed: between 80 and 95
        Assert.Equal(At("2022-11-14", "08:30"), record.ActualStart);
        Assert.Single(second.Store.Records());
    }

    [Fact]
    public async Task A_camera_down_at_preparation_raises_an_event_and_the_lesson_still_runs()
    {
        Room.Camera1.Faults.Set(Fault.NoReply);
        var rig = Rig(At("2022-11-14", "08:00"), new JsonArray(Booking("mon-p1", "2022-11-14", "1")));
        await rig.StartAsync();
        await rig.AdvanceTo(At("2022-11-14", "08:25"));
        await Eventually.True(() => rig.Raised.Any(e => e.Type == "lesson-device-failed"), TimeSpan.FromSeconds(20), "the device event");
        var problem = Assert.Single(rig.Raised, e => e.Type == "lesson-device-failed");
        Assert.Equal("cam1", problem.Device);
        Assert.True(rig.DisplayOn); // the rest of the room was prepared

        await rig.StartsStreamingAt(At("2022-11-14", "08:30"));
        var record = await rig.EndsAt(At("2022-11-14", "09:05"), 0);
        Assert.Equal(LessonStatus.Completed, record.Status);
        Assert.Equal(["cam1"], record.DevicesFailed);
    }

    [Fact]
    public async Task A_stream_that_never_starts_gives_a_failed_record_with_the_reason()
    {
        var rig = Rig(At("2022-11-14", "08:00"), new JsonArray(Booking("mon-p1", "2022-11-14", "1")), config =>
        {
            config["stream"]!["videoSource"] = "rtsp";
            config["stream"]!["videoInput"] = $"rtsp://127.0.0.1:{Machine.FreeTcpPort()}/camera";
            config["stream"]!["audioSource"] = "rtsp";
        });
        await rig.StartAsync();
        await rig.AdvanceTo(At("2022-11-14", "08:30"));
        await Eventually.True(() => rig.Records.Count == 1, TimeSpan.FromSeconds(60), "the failed record");

        var record = rig.Records.Single();
        Assert.Equal(LessonStatus.Failed, record.Status);
        Assert.StartsWith("the stream never started", record.Reason);
        Assert.Equal(0, record.Stream.SecondsStreamed);
        Assert.Contains(rig.Raised, e => e.Type == "stream-failed");
        Assert.Contains(rig.Raised, e => e.Type == "lesson-failed");
        Assert.True(rig.LightOff, $"light {rig.Devices.OnAirLight!.Mode}; events: {string.Join(" | ", rig.Raised.Select(e => e.Type + ": " + e.Detail))}");
    }

    [Fact]
    public async Task The_lesson_button_starts_an_adhoc_lesson_and_stops_it()
    {
        var rig = Rig(At("2022-11-14", "12:00"), []);
        await rig.StartAsync();
        await Press(rig);
        await Eventually.True(() => rig.Runner.IsStreaming, TimeSpan.FromSeconds(60), "the ad-hoc lesson");
        Assert.Equal("button", rig.Runner.Current!.StartedBy);

        await rig.AdvanceTo(rig.Time.GetUtcNow().AddMinutes(20));
        await Press(rig);
        await Eventually.True(() => rig.Records.Count == 1, TimeSpan.FromSeconds(60), "the ad-hoc record");
        var record = rig.Records.Single();
        Assert.Equal(LessonStatus.Adhoc, record.Status);
        Assert.Null(record.BookingId);
        Assert.Equal(1200, record.Stream.SecondsStreamed, 0);
    }

    /// <summary>A short press on the simulated GPIO line, each level held until the debounced button has seen it.</summary>
    private static async Task Press(LessonRig rig)
    {
        var button = rig.Devices.LessonButton!;
        rig.Gpio.SetInput(ButtonPin, System.Device.Gpio.PinValue.High);
        await Eventually.True(() => button.IsPressed, TimeSpan.FromSeconds(10), "the button down");
        rig.Gpio.SetInput(ButtonPin, System.Device.Gpio.PinValue.Low);
        await Eventually.True(() => !button.IsPressed, TimeSpan.FromSeconds(10), "the button up");
    }
}
