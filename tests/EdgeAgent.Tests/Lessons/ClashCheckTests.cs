using EdgeAgent.Lessons;

namespace EdgeAgent.Tests.Lessons;

/// <summary>Seed 001: the winter timetables of 巫溪中心小学 and its partner, in force from 2022-10-09.</summary>
public class ClashCheckTests
{
    private static Period P(string name, string start, string end) => new(name, TimeOnly.Parse(start), TimeOnly.Parse(end));

    private static readonly DateOnly WinterFrom = new(2022, 10, 9);

    // 巫溪中心小学 冬令作息时间表 (2022年10月9日起执行)
    private static readonly BellSchedule WuxiWinter = new("winter", WinterFrom,
    [
        P("1", "08:30", "09:10"), P("2", "09:20", "10:05"), P("3", "10:35", "11:15"),
        P("4", "13:20", "14:00"), P("5", "14:10", "14:55"), P("6", "15:05", "15:45"),
    ]);

    // 厚仁中心小学 冬令作息时间表 (2022年10月9日起执行)
    private static readonly BellSchedule HourenWinter = new("winter", WinterFrom,
    [
        P("1", "08:25", "09:05"), P("2", "09:15", "10:00"), P("3", "10:30", "11:10"),
        P("4", "13:00", "13:40"), P("5", "13:50", "14:35"), P("6", "14:45", "15:25"),
    ]);

    // A summer timetable (not in the seed; made up for the switch-over test).
    private static readonly BellSchedule WuxiSummer = new("summer", new DateOnly(2022, 2, 14),
    [
        P("1", "08:20", "09:00"), P("4", "14:00", "14:40"),
    ]);

    private static readonly SchoolTimetable Wuxi = new("lanxi-wuxi-ps", [WuxiWinter, WuxiSummer]);
    private static readonly SchoolTimetable Houren = new("lanxi-houren-ps", [HourenWinter]);

    [Theory]
    [InlineData("1", 35, false, "08:30", "09:05")]
    [InlineData("2", 40, false, "09:20", "10:00")]
    [InlineData("3", 35, false, "10:35", "11:10")]
    [InlineData("4", 20, true, "13:20", "13:40")]
    [InlineData("5", 25, true, "14:10", "14:35")]
    [InlineData("6", 20, true, "15:05", "15:25")]
    public void Winter_overlaps_and_clashes_match_seed_001(string period, int minutes, bool clash, string start, string end)
    {
        var window = ClashCheck.Check(Wuxi, Houren, new DateOnly(2022, 11, 14), period);
        Assert.Equal(minutes, window.OverlapMinutes);
        Assert.Equal(clash, window.IsClash);
        Assert.Equal(TimeOnly.Parse(start), TimeOnly.FromDateTime(window.Start!.Value.DateTime));
        Assert.Equal(TimeOnly.Parse(end), TimeOnly.FromDateTime(window.End!.Value.DateTime));
        Assert.Equal(TimeSpan.FromHours(8), window.Start.Value.Offset);
    }

    [Fact]
    public void The_winter_timetable_takes_over_on_its_effective_date()
    {
        Assert.Equal("summer", Wuxi.ScheduleOn(new DateOnly(2022, 10, 8))!.Name);
        Assert.Equal("winter", Wuxi.ScheduleOn(WinterFrom)!.Name);
        Assert.Equal(TimeOnly.Parse("08:20"), TimeOnly.FromDateTime(Wuxi.Window(new DateOnly(2022, 10, 8), "1")!.Value.Start.DateTime));
        Assert.Equal(TimeOnly.Parse("08:30"), TimeOnly.FromDateTime(Wuxi.Window(WinterFrom, "1")!.Value.Start.DateTime));
        Assert.Null(Wuxi.ScheduleOn(new DateOnly(2022, 1, 1)));
    }

    [Fact]
    public void A_period_missing_at_one_school_is_a_clash_with_the_reason()
    {
        // Before 2022-10-09 the partner has no timetable at all; the summer one has no period 2.
        var window = ClashCheck.Check(Wuxi, Houren, new DateOnly(2022, 10, 8), "1");
        Assert.True(window.IsClash);
        Assert.Contains("lanxi-houren-ps has no period '1'", window.Reason);
        Assert.True(ClashCheck.Check(Wuxi, Houren, new DateOnly(2022, 10, 8), "2").IsClash);
    }

    [Fact]
    public void The_required_overlap_is_configurable()
    {
        Assert.False(ClashCheck.Check(Wuxi, Houren, new DateOnly(2022, 11, 14), "4", TimeSpan.FromMinutes(20)).IsClash);
        Assert.True(ClashCheck.Check(Wuxi, Houren, new DateOnly(2022, 11, 14), "1", TimeSpan.FromMinutes(36)).IsClash);
    }
}
