using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Client.Broker;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;

using EdgeAgent.Office.Store;

namespace EdgeAgent.Office.Reports;

/// <summary>One form's line of the monthly form: 活动次数, 参与师生数, 涉及学科.</summary>
public sealed record FormLine(string Form, int Activities, int Participants, IReadOnlyList<string> Subjects);

/// <summary>
/// The monthly form of seed 000 for one school pair (城镇学校 / 乡村学校): equipment up to standard per side, the four
/// forms' activities, participants and subjects, and the school year's progress against the programme targets.
/// </summary>
public sealed record PairReport(string Month, string UrbanSchool, string RuralSchool, string UrbanEquipment, string RuralEquipment,
    IReadOnlyList<FormLine> Forms, TargetProgress Year, string SchoolYear);

/// <summary>
/// Builds the monthly report from the office database. The rules (README, "Monthly report"):
/// <list type="bullet">
/// <item>a pair is the main room's school (城镇, 主讲) and its partner (乡村, 接收); a receiving room's record names the
///   pair the other way round;</item>
/// <item>only <c>completed</c> and <c>partial</c> lessons count (as in the agent's tallies); one activity appears in
///   both rooms' records: the main room's record counts it, and a receiving room's record counts only when no main
///   record of the pair has the same form and planned start (the main room not on the fleet);</item>
/// <item>participants (参与师生数) of an activity: the students of both rooms plus each room's named teacher;</item>
/// <item>equipment up to standard (技术装备环境是否达标) per side: 是 when the latest compliance report of the month of
///   every room of that school is pass or warn, 否 when one is fail, 未检测 when none was made.</item>
/// </list>
/// </summary>
public static class MonthlyReport
{
    public static IReadOnlyDictionary<string, string> FormNames => LessonForms.Chinese;

    /// <summary>The order of the seed's form.</summary>
    public static readonly string[] FormOrder = [LessonForms.SyncClassroom, LessonForms.RemoteDelivery, LessonForms.FamousTeacher, LessonForms.TeacherResearch];

    public static readonly IReadOnlyDictionary<string, string> SubjectNames = new Dictionary<string, string>
    {
        ["chinese"] = "语文", ["maths"] = "数学", ["english"] = "英语", ["science"] = "科学", ["morality"] = "品德", ["music"] = "音乐",
        ["pe"] = "体育", ["art"] = "美术", ["labour-it"] = "劳技信息技术", ["extension"] = "拓展课程", ["other"] = "其他",
    };

    public static async Task<IReadOnlyList<PairReport>> BuildAsync(OfficeStore store, int year, int month, ProgrammeTargets targets, CancellationToken ct)
    {
        var first = new DateOnly(year, month, 1);
        var next = first.AddMonths(1);
        var (yearStart, _, _) = TallyCalculator.SchoolYearOf(first);
        var records = (await store.LessonsAsync(yearStart, next, ct).ConfigureAwait(false))
            .Select(r => r.Deserialize(ContractJson.Wire.LessonRecord)!)
            .ToList();
        var zone = SchoolTime.ChinaStandardTime;
        var monthStart = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(first.ToDateTime(TimeOnly.MinValue)));
        var monthEnd = new DateTimeOffset(next.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(next.ToDateTime(TimeOnly.MinValue)));
        var reports = await store.ComplianceAsync(monthStart, monthEnd, ct).ConfigureAwait(false);

        var counted = Activities(records);
        var pairs = counted.Select(a => (a.Urban, a.Rural)).Distinct().OrderBy(p => p.Urban, StringComparer.Ordinal).ThenBy(p => p.Rural, StringComparer.Ordinal);
        var result = new List<PairReport>();
        foreach (var (urban, rural) in pairs)
        {
            var mine = counted.Where(a => a.Urban == urban && a.Rural == rural).ToList();
            var inMonth = mine.Where(a => a.Date >= first && a.Date < next).ToList();
            var lines = FormOrder.Select(form =>
            {
                var of = inMonth.Where(a => a.Main.Form == form).ToList();
                var subjects = of.Select(a => a.Main.Subject ?? "other").Distinct()
                    .OrderBy(s => Array.IndexOf(Subjects.All, s) is var i && i < 0 ? int.MaxValue : i)
                    .Select(s => SubjectNames.GetValueOrDefault(s, s)).ToList();
                return new FormLine(form, of.Count, of.Sum(a => a.Participants), subjects);
            }).ToList();
            var tallies = TallyCalculator.Compute(mine.Select(a => a.Main), first, targets, zone, DateTimeOffset.UnixEpoch);
            result.Add(new PairReport($"{year:0000}-{month:00}", urban, rural, Equipment(reports, urban), Equipment(reports, rural), lines,
                tallies.Targets, tallies.SchoolYear));
        }
        return result;
    }

    private sealed record Activity(string Urban, string Rural, DateOnly Date, LessonRecord Main, int Participants);

    private static List<Activity> Activities(List<LessonRecord> records)
    {
        var zone = SchoolTime.ChinaStandardTime;
        var counting = records.Where(r => LessonStatus.Counts(r.Status)).ToList();
        static (string Urban, string Rural) Pair(LessonRecord r) =>
            r.Role == RoomRole.Receiving ? (r.PartnerSchool ?? "-", r.School) : (r.School, r.PartnerSchool ?? "-");
        static string Key(LessonRecord r) => $"{r.Form}|{r.PlannedStart?.UtcDateTime:O}";
        static int People(LessonRecord r) => r.Students + (string.IsNullOrWhiteSpace(r.Teacher) ? 0 : 1);
        var mains = counting.Where(r => r.Role != RoomRole.Receiving).ToList();
        var receiving = counting.Where(r => r.Role == RoomRole.Receiving).ToList();
        var list = new List<Activity>();
        var matched = new HashSet<LessonRecord>();
        foreach (var m in mains)
        {
            var pair = Pair(m);
            var partner = receiving.FirstOrDefault(r => !matched.Contains(r) && Pair(r) == pair && Key(r) == Key(m));
            if (partner is not null) matched.Add(partner);
            list.Add(new Activity(pair.Urban, pair.Rural, LocalDate(m, zone), m, People(m) + (partner is null ? 0 : People(partner))));
        }
        foreach (var r in receiving.Where(r => !matched.Contains(r)))
        {
            var pair = Pair(r);
            list.Add(new Activity(pair.Urban, pair.Rural, LocalDate(r, zone), r, People(r)));
        }
        return list;
    }

    private static DateOnly LocalDate(LessonRecord r, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime((r.ActualStart ?? r.PlannedStart)!.Value, zone).DateTime);

    private static string Equipment(IReadOnlyList<JsonObject> reports, string school)
    {
        var latest = reports.Where(r => r["school"]?.GetValue<string>() == school)
            .GroupBy(r => r["room"]?.GetValue<string>())
            .Select(g => g.OrderBy(r => r["at"]?.GetValue<string>(), StringComparer.Ordinal).Last()["verdict"]?.GetValue<string>())
            .ToList();
        if (latest.Count == 0) return "未检测";
        return latest.Any(v => v == "fail") ? "否" : latest.All(v => v is "pass" or "warn") ? "是" : "未检测";
    }

    /// <summary>
    /// The month whose report is due next: reports are due the last working day of the month (seed 002); after that
    /// day the next month's is the one being prepared. Working days are Monday to Friday (China's adjusted
    /// working weekends and holidays are not known here).
    /// </summary>
    public static (int Year, int Month) DefaultMonth(DateOnly today)
    {
        var last = LastWorkingDay(today.Year, today.Month);
        if (today <= last) return (today.Year, today.Month);
        var next = new DateOnly(today.Year, today.Month, 1).AddMonths(1);
        return (next.Year, next.Month);
    }

    public static DateOnly LastWorkingDay(int year, int month)
    {
        var day = new DateOnly(year, month, 1).AddMonths(1).AddDays(-1);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(-1);
        return day;
    }
}
