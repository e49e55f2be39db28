namespace EdgeAgent.Configuration;

/// <summary>Timetables, bookings and how the lesson runner treats them (<c>lessons</c> in the config file).</summary>
public sealed class LessonOptions
{
    /// <summary>Bell schedules of this room's school and of every partner school.</summary>
    public List<TimetableOptions> Timetables { get; set; } = [];
    /// <summary>Bookings when <see cref="BookingsSource"/> is <c>config</c>.</summary>
    public List<BookingOptions> Bookings { get; set; } = [];
    /// <summary>config | mqtt (retained <c>config/timetable</c>) | ical (<see cref="Ical"/>).</summary>
    public string BookingsSource { get; set; } = "config";
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

/// <summary>One school's bell times: <c>{"school","timeZone","schedules":[{"name","effectiveFrom","periods":[{"name","start","end"}]}]}</c>.</summary>
public sealed class TimetableOptions
{
    public string School { get; set; } = "";
    public string TimeZone { get; set; } = "Asia/Shanghai";
    public List<ScheduleOptions> Schedules { get; set; } = [];
}

public sealed class ScheduleOptions
{
    /// <summary>e.g. "winter" (冬令作息).</summary>
    public string Name { get; set; } = "";
    /// <summary>yyyy-MM-dd</summary>
    public string EffectiveFrom { get; set; } = "";
    public List<PeriodOptions> Periods { get; set; } = [];
}

public sealed class PeriodOptions
{
    public string Name { get; set; } = "";
    /// <summary>HH:mm, school-local.</summary>
    public string Start { get; set; } = "";
    public string End { get; set; } = "";
}

/// <summary>A lesson booked on a date and period.</summary>
public sealed class BookingOptions
{
    public string Id { get; set; } = "";
    /// <summary>yyyy-MM-dd, school-local.</summary>
    public string Date { get; set; } = "";
    public string Period { get; set; } = "";
    /// <summary>SyncClassroom | RemoteDelivery | TeacherResearch | FamousTeacher</summary>
    public string Form { get; set; } = "SyncClassroom";
    /// <summary>chinese | maths | english | science | morality | music | pe | art | labour-it | extension | other</summary>
    public string Subject { get; set; } = "other";
    /// <summary>This room's role in the lesson; defaults to the agent's role.</summary>
    public string? Role { get; set; }
    public string? PartnerSchool { get; set; }
    public string? PartnerRoom { get; set; }
    public string? Teacher { get; set; }
    public string? Class { get; set; }
    public int Students { get; set; }
}

/// <summary>The yearly programme targets (seed 003): synchronized classroom in ≥ 2 subjects with ≥ 10 lessons each and ≥ 20 in all; ≥ 12 of one other form.</summary>
public sealed class ProgrammeTargets
{
    public int SyncSubjects { get; set; } = 2;
    public int SyncLessonsPerSubject { get; set; } = 10;
    public int SyncLessonsTotal { get; set; } = 20;
    public int OtherFormLessons { get; set; } = 12;
}
