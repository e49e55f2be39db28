namespace EdgeAgent.Lessons;

/// <summary>The part of a synchronized lesson's period that both schools share, and whether it is long enough.</summary>
public sealed record SharedWindow(string Period, DateOnly Date, DateTimeOffset? Start, DateTimeOffset? End, TimeSpan Overlap, bool IsClash, string Reason)
{
    public int OverlapMinutes => (int)Overlap.TotalMinutes;
}

/// <summary>
/// A synchronized lesson must fit both schools' bells: the period at this school and the same period at the
/// partner school on that date must overlap by at least <c>minimumOverlap</c> (default 35 minutes). With seed
/// 001's winter timetables period 1 overlaps 35 minutes (08:30–09:05) and period 4 only 20 (13:20–13:40): a clash.
/// </summary>
public static class ClashCheck
{
    public static readonly TimeSpan DefaultMinimumOverlap = TimeSpan.FromMinutes(35);

    public static SharedWindow Check(SchoolTimetable own, SchoolTimetable partner, DateOnly date, string period, TimeSpan? minimumOverlap = null)
    {
        var minimum = minimumOverlap ?? DefaultMinimumOverlap;
        var ours = own.Window(date, period);
        var theirs = partner.Window(date, period);
        if (ours is null || theirs is null)
        {
            var missing = ours is null ? own.School : partner.School;
            return new SharedWindow(period, date, null, null, TimeSpan.Zero, true, $"{missing} has no period '{period}' on {date:yyyy-MM-dd}");
        }
        var start = ours.Value.Start > theirs.Value.Start ? ours.Value.Start : theirs.Value.Start;
        var end = ours.Value.End < theirs.Value.End ? ours.Value.End : theirs.Value.End;
        var overlap = end > start ? end - start : TimeSpan.Zero;
        var clash = overlap < minimum;
        var reason = clash
            ? $"{own.School} and {partner.School} share only {overlap.TotalMinutes:F0} min of period '{period}' (at least {minimum.TotalMinutes:F0} needed)"
            : $"shared {overlap.TotalMinutes:F0} min";
        return new SharedWindow(period, date, overlap > TimeSpan.Zero ? start : null, overlap > TimeSpan.Zero ? end : null, overlap, clash, reason);
    }
}
