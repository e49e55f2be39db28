using EdgeAgent.Contract.Time;

namespace EdgeAgent.Lessons;

/// <summary>One period of a school day, e.g. 第一节 08:30–09:10.</summary>
public sealed record Period(string Name, TimeOnly Start, TimeOnly End)
{
    public TimeSpan Length => End - Start;
}

/// <summary>A school's bell times from a date on (schools switch to a winter timetable in October, seed 001).</summary>
public sealed record BellSchedule(string Name, DateOnly EffectiveFrom, IReadOnlyList<Period> Periods)
{
    public Period? Find(string period) => Periods.FirstOrDefault(p => p.Name == period);
}

/// <summary>
/// A school's timetable: its bell schedules by effective date, in the school's time zone (Asia/Shanghai unless
/// configured). The room's own school and every partner school have one; paired schools ring at different times.
/// </summary>
public sealed class SchoolTimetable
{
    public SchoolTimetable(string school, IEnumerable<BellSchedule> schedules, TimeZoneInfo? zone = null)
    {
        School = school;
        Schedules = schedules.OrderBy(s => s.EffectiveFrom).ToList();
        Zone = zone ?? SchoolTime.ChinaStandardTime;
    }

    public string School { get; }
    public IReadOnlyList<BellSchedule> Schedules { get; }
    public TimeZoneInfo Zone { get; }

    /// <summary>The schedule in force on <paramref name="date"/>: the latest one effective on or before it.</summary>
    public BellSchedule? ScheduleOn(DateOnly date) => Schedules.LastOrDefault(s => s.EffectiveFrom <= date);

    /// <summary>When a period runs on a date, as instants; null if the school has no such period that day.</summary>
    public (DateTimeOffset Start, DateTimeOffset End)? Window(DateOnly date, string period)
    {
        if (ScheduleOn(date)?.Find(period) is not { } p) return null;
        return (At(date, p.Start), At(date, p.End));
    }

    private DateTimeOffset At(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }
}
