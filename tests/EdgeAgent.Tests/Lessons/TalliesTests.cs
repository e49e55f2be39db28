using EdgeAgent.Configuration;
using EdgeAgent.Lessons;

namespace EdgeAgent.Tests.Lessons;

/// <summary>Programme tallies for a hand-made autumn term, against numbers worked out by hand.</summary>
public class TalliesTests
{
    private static readonly TimeZoneInfo China = EdgeAgent.Contract.Time.SchoolTime.ChinaStandardTime;
    private static int _n;

    private static LessonRecord R(string date, string form, string subject, string status = LessonStatus.Completed, int students = 30)
    {
        var start = DateTimeOffset.Parse($"{date}T08:30:00+08:00", System.Globalization.CultureInfo.InvariantCulture);
        return new LessonRecord(LessonRecord.SchemaId, $"r{++_n}", $"b{_n}", "zj", "wuxi", "room-1", RoomRole.Main, status, null, form, subject,
            "houren", "room-2", "王老师", "四(1)班", students, "1", start, start.AddMinutes(35), start, start.AddMinutes(35),
            new LessonStreamHealth(2100, 100, 0, 0, 0, 0, 1, 1), [], [], "timetable");
    }

    private static IEnumerable<LessonRecord> Many(int count, string month, string form, string subject, string status = LessonStatus.Completed) =>
        Enumerable.Range(1, count).Select(d => R($"{month}-{d:00}", form, subject, status));

    [Fact]
    public void An_autumn_term_counts_only_completed_and_partial_lessons_of_this_school_year()
    {
        var records = new List<LessonRecord>();
        records.AddRange(Many(6, "2022-09", "SyncClassroom", "maths"));
        records.AddRange(Many(5, "2022-10", "SyncClassroom", "maths"));            // maths: 11 ≥ 10
        records.AddRange(Many(4, "2022-10", "SyncClassroom", "chinese"));
        records.AddRange(Many(3, "2022-11", "SyncClassroom", "chinese", LessonStatus.Partial)); // chinese: 7 (partial counts)
        records.AddRange(Many(2, "2022-11", "SyncClassroom", "chinese", LessonStatus.Failed));  // not counted
        records.AddRange(Many(9, "2022-11", "RemoteDelivery", "english"));
        records.AddRange(Many(4, "2022-12", "TeacherResearch", "maths"));
        records.Add(R("2022-12-20", "adhoc", "other", LessonStatus.Adhoc));                       // not counted
        records.AddRange(Many(3, "2022-06", "SyncClassroom", "science"));          // last school year

        var t = TallyCalculator.Compute(records, new DateOnly(2022, 12, 21), new ProgrammeTargets(), China, DateTimeOffset.UnixEpoch);

        Assert.Equal("2022-2023", t.SchoolYear);
        Assert.Equal(6 + 5 + 4 + 3 + 9 + 4, t.Year.Lessons);   // 31
        Assert.Equal(3, t.Year.Partial);
        Assert.Equal(28, t.Year.Completed);
        Assert.Equal(18, t.Year.ByForm["SyncClassroom"]);
        Assert.Equal(9, t.Year.ByForm["RemoteDelivery"]);
        Assert.Equal(4, t.Year.ByForm["TeacherResearch"]);
        Assert.False(t.Year.ByForm.ContainsKey("adhoc"));
        Assert.Equal(11, t.Year.SyncBySubject["maths"]);
        Assert.Equal(7, t.Year.SyncBySubject["chinese"]);
        Assert.Equal(15, t.Year.BySubject["maths"]);
        Assert.Equal(31 * 30, t.Year.StudentPlaces);
        Assert.Equal(["2022-09", "2022-10", "2022-11", "2022-12"], t.Months.Select(m => m.Period));
        Assert.Equal([6, 9, 12, 4], t.Months.Select(m => m.Lessons));

        // Targets: ≥ 2 subjects with ≥ 10 synchronized lessons (only maths), ≥ 20 in all (18), ≥ 12 of one other form (9).
        Assert.Equal(1, t.Targets.SyncSubjectsAtTarget);
        Assert.False(t.Targets.SyncSubjectsMet);
        Assert.Equal(18, t.Targets.SyncLessons);
        Assert.False(t.Targets.SyncTotalMet);
        Assert.Equal("RemoteDelivery", t.Targets.BestOtherForm);
        Assert.Equal(9, t.Targets.BestOtherFormLessons);
        Assert.False(t.Targets.OtherFormMet);
        Assert.False(t.Targets.Met);
    }

    [Fact]
    public void The_targets_are_met_with_two_subjects_of_ten_twenty_in_all_and_twelve_of_another_form()
    {
        var records = Many(10, "2023-03", "SyncClassroom", "maths")
            .Concat(Many(10, "2023-04", "SyncClassroom", "chinese"))
            .Concat(Many(12, "2023-05", "FamousTeacher", "music"))
            .ToList();
        var t = TallyCalculator.Compute(records, new DateOnly(2023, 6, 30), new ProgrammeTargets(), China, DateTimeOffset.UnixEpoch);
        Assert.Equal("2022-2023", t.SchoolYear);
        Assert.True(t.Targets.SyncSubjectsMet);
        Assert.True(t.Targets.SyncTotalMet);
        Assert.True(t.Targets.OtherFormMet);
        Assert.True(t.Targets.Met);
        Assert.Equal("FamousTeacher", t.Targets.BestOtherForm);
    }

    [Theory]
    [InlineData("2022-08-31", "2021-2022")]
    [InlineData("2022-09-01", "2022-2023")]
    [InlineData("2023-01-15", "2022-2023")]
    public void School_years_run_from_September(string date, string year) =>
        Assert.Equal(year, TallyCalculator.SchoolYearOf(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture)).Name);
}
