using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Contract.Payloads;

/// <summary>The yearly programme targets (seed 003): synchronized classroom in ≥ 2 subjects with ≥ 10 lessons each and ≥ 20 in all; ≥ 12 of one other form.</summary>
public sealed class ProgrammeTargets
{
    public int SyncSubjects { get; set; } = 2;
    public int SyncLessonsPerSubject { get; set; } = 10;
    public int SyncLessonsTotal { get; set; } = 20;
    public int OtherFormLessons { get; set; } = 12;
}

/// <summary>Counts of one month or one school year.</summary>
public sealed record TallyPeriod(string Period, int Lessons, int Completed, int Partial, SortedDictionary<string, int> ByForm,
    SortedDictionary<string, int> BySubject, SortedDictionary<string, int> SyncBySubject, int StudentPlaces);

/// <summary>Progress against the yearly programme targets.</summary>
public sealed record TargetProgress(
    int SyncSubjectsAtTarget, int SyncSubjectsNeeded, int SyncLessonsPerSubjectNeeded,
    int SyncLessons, int SyncLessonsNeeded,
    string? BestOtherForm, int BestOtherFormLessons, int OtherFormLessonsNeeded,
    bool SyncSubjectsMet, bool SyncTotalMet, bool OtherFormMet)
{
    public bool Met => SyncSubjectsMet && SyncTotalMet && OtherFormMet;
}

/// <summary>The programme tallies of a room (<c>edgeagent.tallies/1</c>), retained on <c>tallies</c>.</summary>
public sealed record Tallies(string Schema, string SchoolYear, DateTimeOffset At, TallyPeriod Year, IReadOnlyList<TallyPeriod> Months, TargetProgress Targets)
{
    public const string SchemaId = "edgeagent.tallies/1";
}

/// <summary>
/// Programme tallies from the stored lesson records: per school year (1 September to 31 August, school-local) and
/// per month, counts per form and subject, and progress against the targets. Only <c>completed</c> and
/// <c>partial</c> lessons count; <c>failed</c> and <c>adhoc</c> ones do not.
/// </summary>
public static class TallyCalculator
{
    /// <summary>The school year a date falls in, named by its two calendar years: 2022-10-10 is in "2022-2023".</summary>
    public static (DateOnly From, DateOnly To, string Name) SchoolYearOf(DateOnly date)
    {
        var first = date.Month >= 9 ? date.Year : date.Year - 1;
        return (new DateOnly(first, 9, 1), new DateOnly(first + 1, 9, 1), $"{first}-{first + 1}");
    }

    public static Tallies Compute(IEnumerable<LessonRecord> records, DateOnly today, ProgrammeTargets targets, TimeZoneInfo zone, DateTimeOffset at)
    {
        var (from, to, name) = SchoolYearOf(today);
        var counted = records
            .Where(r => LessonStatus.Counts(r.Status))
            .Select(r => (Record: r, Date: LocalDate(r, zone)))
            .Where(x => x.Date is { } d && d >= from && d < to)
            .ToList();
        var year = Period(name, counted.Select(x => x.Record));
        var months = counted
            .GroupBy(x => $"{x.Date!.Value.Year:0000}-{x.Date.Value.Month:00}")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Period(g.Key, g.Select(x => x.Record)))
            .ToList();

        var syncSubjects = year.SyncBySubject.Count(kv => kv.Value >= targets.SyncLessonsPerSubject);
        var syncTotal = year.ByForm.GetValueOrDefault(LessonForms.SyncClassroom);
        var best = year.ByForm.Where(kv => kv.Key != LessonForms.SyncClassroom)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).FirstOrDefault();
        var progress = new TargetProgress(
            syncSubjects, targets.SyncSubjects, targets.SyncLessonsPerSubject,
            syncTotal, targets.SyncLessonsTotal,
            best.Key, best.Value, targets.OtherFormLessons,
            syncSubjects >= targets.SyncSubjects, syncTotal >= targets.SyncLessonsTotal, best.Value >= targets.OtherFormLessons);
        return new Tallies(Tallies.SchemaId, name, at, year, months, progress);
    }

    private static TallyPeriod Period(string name, IEnumerable<LessonRecord> records)
    {
        var list = records.ToList();
        var byForm = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var bySubject = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var syncBySubject = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in list)
        {
            byForm[r.Form] = byForm.GetValueOrDefault(r.Form) + 1;
            var subject = r.Subject ?? "other";
            bySubject[subject] = bySubject.GetValueOrDefault(subject) + 1;
            if (r.Form == LessonForms.SyncClassroom) syncBySubject[subject] = syncBySubject.GetValueOrDefault(subject) + 1;
        }
        return new TallyPeriod(name, list.Count, list.Count(r => r.Status == LessonStatus.Completed), list.Count(r => r.Status == LessonStatus.Partial),
            byForm, bySubject, syncBySubject, list.Sum(r => r.Students));
    }

    private static DateOnly? LocalDate(LessonRecord r, TimeZoneInfo zone) =>
        (r.ActualStart ?? r.PlannedStart) is { } t ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, zone).DateTime) : null;
}
