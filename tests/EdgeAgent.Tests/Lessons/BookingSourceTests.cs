using System.Text;
using System.Text.Json.Nodes;
using EdgeAgent.Lessons;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Lessons;

public sealed class BookingSourceTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly SimulatedClassroom _room = new();
    private LessonRig _rig = null!;

    public Task InitializeAsync()
    {
        _rig = LessonRig.Create(_dir.Path, _room, LessonRig.At("2022-11-14", "07:00"), [LessonRig.Booking("mon-p1", "2022-11-14", "1")],
            c => c["lessons"]!["bookingsSource"] = "config");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _room.DisposeAsync();
        _dir.Dispose();
    }

    private static byte[] Doc(JsonObject doc) => Encoding.UTF8.GetBytes(doc.ToJsonString());

    [Fact]
    public void A_valid_timetable_document_replaces_the_bookings()
    {
        var accepted = _rig.Bookings.Accept(Doc(new JsonObject
        {
            ["schema"] = "edgeagent.timetable/1",
            ["bookings"] = new JsonArray(LessonRig.Booking("tue-p2", "2022-11-15", "2", subject: "chinese")),
        }), "mqtt");
        Assert.True(accepted);
        Assert.Equal(["tue-p2"], _rig.Bookings.Current.Bookings.Select(b => b.Id));
        Assert.Equal("mqtt", _rig.Bookings.Current.Source);
        Assert.NotNull(_rig.Store.LoadBookingsDocument()); // kept for a restart without the broker
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"schema":"edgeagent.timetable/9","bookings":[]}""")]
    [InlineData("""{"schema":"edgeagent.timetable/1","bookings":[{"id":"x","date":"2022-13-40","period":"1"}]}""")]
    [InlineData("""{"schema":"edgeagent.timetable/1","bookings":[{"id":"x","date":"2022-11-15","period":"9","form":"SyncClassroom","subject":"maths","partnerSchool":"lanxi-houren-ps"}]}""")]
    [InlineData("""{"schema":"edgeagent.timetable/1","bookings":[{"id":"x","date":"2022-11-15","period":"1","form":"Gossip","subject":"maths"}]}""")]
    [InlineData("""{"schema":"edgeagent.timetable/1","bookings":[],"surprise":1}""")]
    public void A_bad_document_is_rejected_with_the_reason_and_the_previous_bookings_stay(string json)
    {
        Assert.False(_rig.Bookings.Accept(Encoding.UTF8.GetBytes(json), "mqtt"));
        Assert.Equal(["mon-p1"], _rig.Bookings.Current.Bookings.Select(b => b.Id));
        var rejected = Assert.Single(_rig.Raised, e => e.Type == "timetable-rejected");
        Assert.Contains("previous bookings kept", rejected.Detail);
    }

    [Fact]
    public void An_icalendar_feed_places_weekly_lessons_on_the_school_periods()
    {
        const string ics = """
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//school//timetable//ZH
            BEGIN:VEVENT
            UID:maths-4-1
            DTSTAMP:20221101T000000Z
            DTSTART;TZID=Asia/Shanghai:20221114T083000
            DTEND;TZID=Asia/Shanghai:20221114T091000
            RRULE:FREQ=WEEKLY;COUNT=3
            SUMMARY:maths
            CATEGORIES:SyncClassroom
            X-EDGEAGENT-PARTNER-SCHOOL:lanxi-houren-ps
            X-EDGEAGENT-TEACHER:王老师
            X-EDGEAGENT-STUDENTS:28
            END:VEVENT
            BEGIN:VEVENT
            UID:research-1
            DTSTAMP:20221101T000000Z
            DTSTART;TZID=Asia/Shanghai:20221116T132000
            DTEND;TZID=Asia/Shanghai:20221116T140000
            SUMMARY:chinese
            CATEGORIES:TeacherResearch
            END:VEVENT
            END:VCALENDAR
            """;
        var book = ICalendarBookings.Parse(ics, LessonRig.Own, RoomRole.Main, _rig.Options.Lessons.Timetables, LessonRig.At("2022-11-13", "12:00"), out var errors);
        Assert.Empty(errors);
        Assert.NotNull(book);
        var bookings = book!.Bookings;
        Assert.Equal(["maths-4-1-20221114", "research-1", "maths-4-1-20221121", "maths-4-1-20221128"], bookings.OrderBy(b => b.Date).Select(b => b.Id));
        var first = bookings.Single(b => b.Id == "maths-4-1-20221114");
        Assert.Equal("1", first.Period);
        Assert.Equal("SyncClassroom", first.Form);
        Assert.Equal("lanxi-houren-ps", first.PartnerSchool);
        Assert.Equal("王老师", first.Teacher);
        Assert.Equal(28, first.Students);
        Assert.Equal("4", bookings.Single(b => b.Id == "research-1").Period);
    }

    [Fact]
    public void An_icalendar_event_outside_every_period_is_reported()
    {
        const string ics = """
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//school//timetable//ZH
            BEGIN:VEVENT
            UID:evening
            DTSTAMP:20221101T000000Z
            DTSTART;TZID=Asia/Shanghai:20221114T190000
            DTEND;TZID=Asia/Shanghai:20221114T194000
            SUMMARY:maths
            CATEGORIES:RemoteDelivery
            END:VEVENT
            END:VCALENDAR
            """;
        Assert.Null(ICalendarBookings.Parse(ics, LessonRig.Own, RoomRole.Main, _rig.Options.Lessons.Timetables, LessonRig.At("2022-11-13", "12:00"), out var errors));
        Assert.Contains(errors, e => e.Contains("no period", StringComparison.Ordinal));
    }
}
