using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Configuration;

/// <summary>Timetables, bookings and how the lesson runner treats them (<c>lessons</c> in the config file).</summary>
public sealed class LessonOptions
{
    /// <summary>Bell schedules of this room's school and of every partner school.</summary>
    public List<TimetableSpec> Timetables { get; set; } = [];
    /// <summary>Bookings when <see cref="BookingsSource"/> is <c>config</c>.</summary>
    public List<BookingSpec> Bookings { get; set; } = [];
    /// <summary>config | mqtt (retained <c>config/timetable</c>) | ical (<see cref="Ical"/>).</summary>
    public BookingsSource BookingsSource { get; set; } = BookingsSource.Config;
    /// <summary>An iCalendar file path or http(s) URL, for <c>bookingsSource: ical</c>.</summary>
    public string? Ical { get; set; }
    /// <summary>How often an iCalendar URL or file is read again.</summary>
    public int IcalRefreshMinutes { get; set; } = 60;
    /// <summary>The room is prepared (display, camera preset, microphones, on-air light) this long before the shared window.</summary>
    public int PrepareMinutes { get; set; } = 5;
    /// <summary>The display is turned off this long after a lesson unless another lesson is prepared before then.</summary>
    public int DisplayOffGraceMinutes { get; set; } = 10;
    /// <summary>A synchronized lesson needs the two schools' periods to overlap by at least this much.</summary>
    public int MinimumOverlapMinutes { get; set; } = 35;
    /// <summary>Share of the planned window streamed for <c>completed</c>.</summary>
    public int CompletedPercent { get; set; } = 95;
    /// <summary>Share of the planned window streamed for <c>partial</c> (still counted); below it the lesson is <c>failed</c>.</summary>
    public int PartialPercent { get; set; } = 80;
    /// <summary>Clashes are reported for the bookings of this many days ahead.</summary>
    public int ClashLookaheadDays { get; set; } = 7;
    /// <summary>Length of a lesson started by the button or a command with no booking in its window.</summary>
    public int AdhocMinutes { get; set; } = 45;
    public ProgrammeTargets Targets { get; set; } = new();
}
