using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Ctl;
using EdgeAgent.Ctl.Fleet;
using EdgeAgent.Office.Collecting;
using EdgeAgent.Office.Reports;
using EdgeAgent.Office.Store;
using EdgeAgent.Lessons;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Office;

/// <summary>The monthly report (seed 000's form) from a hand-made month of records, with the numbers worked out by hand.</summary>
public sealed class MonthlyReportTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static DateTimeOffset At(int month, int day) => new(2022, month, day, 8, 30, 0, TimeSpan.FromHours(8));

    private static LessonRecord MainRoom(string id, string status, string form, string subject, string? teacher, int students, DateTimeOffset start) =>
        CollectorTests.Record("room-1", 0, RoomRole.Main, status, form, subject, "village-ps", teacher, students, start) with { Id = id, School = "city-ps" };

    private static LessonRecord Receiving(string id, string form, string subject, string? teacher, int students, DateTimeOffset start) =>
        CollectorTests.Record("room-2", 0, RoomRole.Receiving, LessonStatus.Completed, form, subject, "city-ps", teacher, students, start) with { Id = id, School = "village-ps" };

    private Task<string> MakeMonth() => MakeMonth(_dir.Path);

    /// <summary>October 2022 of the pair city-ps / village-ps, hand-made (numbers in the CSV test), in DIR/office.db.</summary>
    internal static async Task<string> MakeMonth(string dir)
    {
        var db = Path.Combine(dir, "office.db");
        await using var store = await OfficeStore.OpenAsync(db, CancellationToken.None);
        var lessons = new[]
        {
            MainRoom("m1", LessonStatus.Completed, LessonForms.SyncClassroom, "maths", "T1", 40, At(10, 10)),
            MainRoom("m2", LessonStatus.Partial, LessonForms.SyncClassroom, "chinese", "T2", 38, At(10, 11)),
            MainRoom("m3", LessonStatus.Failed, LessonForms.SyncClassroom, "maths", "T1", 40, At(10, 12)),
            MainRoom("m4", LessonStatus.Completed, LessonForms.FamousTeacher, "english", "T3", 45, At(10, 13)),
            MainRoom("m5", LessonStatus.Completed, LessonForms.TeacherResearch, "other", "T1", 0, At(10, 14)),
            MainRoom("m6", LessonStatus.Completed, LessonForms.SyncClassroom, "maths", "T1", 40, At(9, 20)),
            MainRoom("m7", LessonStatus.Completed, LessonForms.SyncClassroom, "maths", "T1", 40, At(11, 1)),
            Receiving("r1", LessonForms.SyncClassroom, "maths", "V1", 20, At(10, 10)),
            Receiving("r2", LessonForms.SyncClassroom, "chinese", null, 18, At(10, 11)),
            Receiving("r3", LessonForms.RemoteDelivery, "science", "V2", 15, At(10, 17)),
        };
        foreach (var l in lessons)
        {
            var room = new RoomAddress(l.Region, l.School, l.Room);
            Assert.True(await store.StoreAsync(OfficeKind.Lesson, room, JsonSerializer.SerializeToUtf8Bytes(l, EdgeAgent.Contract.Json.ContractJson.Wire.LessonRecord), DateTimeOffset.UtcNow, default));
        }
        // A redelivered record is stored once.
        Assert.False(await store.StoreAsync(OfficeKind.Lesson, new RoomAddress("zj-test", "city-ps", "room-1"),
            JsonSerializer.SerializeToUtf8Bytes(lessons[0], EdgeAgent.Contract.Json.ContractJson.Wire.LessonRecord), DateTimeOffset.UtcNow, default));

        async Task Compliance(string id, string school, string room, string verdict, DateTimeOffset at)
        {
            var doc = new JsonObject { ["schema"] = "edgeagent.compliance/1", ["id"] = id, ["school"] = school, ["room"] = room, ["role"] = "main", ["verdict"] = verdict, ["at"] = at.ToString("O") };
            await store.StoreAsync(OfficeKind.Compliance, new RoomAddress("zj-test", school, room), System.Text.Encoding.UTF8.GetBytes(doc.ToJsonString()), DateTimeOffset.UtcNow, default);
        }
        await Compliance("c1", "city-ps", "room-1", "fail", At(10, 5));
        await Compliance("c2", "city-ps", "room-1", "pass", At(10, 20));   // the latest of the month: 是
        await Compliance("c3", "city-ps", "room-1", "fail", At(11, 2));    // next month: not this report's
        await Compliance("c4", "village-ps", "room-2", "pass", At(10, 6));
        await Compliance("c5", "village-ps", "room-2", "fail", At(10, 25)); // the latest: 否
        return db;
    }

    [Fact]
    public async Task A_database_that_does_not_exist_is_an_error_and_is_not_created()
    {
        var typo = Path.Combine(Path.GetTempPath(), $"edgeagent-typo-{Guid.NewGuid():N}.db");
        var error = new StringWriter();
        var code = await CtlCli.InvokeAsync(["report", "--db", typo, "--month", "2022-10"], new StringWriter(), error);
        Assert.Equal(EdgeAgent.Ctl.Broker.CtlExit.Unreachable, code);
        Assert.Contains($"no office database at {typo}", error.ToString());
        Assert.False(File.Exists(typo));
    }

    [Fact]
    public async Task Csv_gives_the_hand_computed_numbers()
    {
        var db = await MakeMonth();
        var output = new StringWriter();
        var code = await CtlCli.InvokeAsync(["report", "--db", db, "--month", "2022-10", "--format", "csv"], output, new StringWriter());
        Assert.Equal(0, code);
        var lines = output.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var head = lines[0].Split(',');
        var row = lines[1].Split(',');
        string Cell(string heading) => row[Array.IndexOf(head, heading)];
        Assert.Equal("2022-10", Cell("工作月度"));
        Assert.Equal("city-ps", Cell("城镇学校"));
        Assert.Equal("village-ps", Cell("乡村学校"));
        Assert.Equal("是", Cell("技术装备环境是否达标(城区学校)"));
        Assert.Equal("否", Cell("技术装备环境是否达标(乡村学校)"));
        // m1 + r1 and m2 + r2 are one activity each; m3 failed; m6 and m7 are other months.
        Assert.Equal("2", Cell("城乡同步课堂活动次数"));
        Assert.Equal("119", Cell("城乡同步课堂参与师生数")); // (40+1 + 20+1) + (38+1 + 18)
        Assert.Equal("语文、数学", Cell("城乡同步课堂涉及学科"));
        Assert.Equal("1", Cell("远程专递课堂活动次数"));     // r3 alone: its main room is not on the fleet
        Assert.Equal("16", Cell("远程专递课堂参与师生数"));
        Assert.Equal("科学", Cell("远程专递课堂涉及学科"));
        Assert.Equal("1", Cell("名师网络课堂活动次数"));
        Assert.Equal("46", Cell("名师网络课堂参与师生数"));
        Assert.Equal("1", Cell("教师网络研修活动次数"));
        Assert.Equal("1", Cell("教师网络研修参与师生数"));
        // The school year 2022-2023 up to October: m6, m1, m2 synchronized; no subject at 10 yet.
        Assert.Equal("2022-2023", Cell("学年"));
        Assert.Equal("3", Cell("同步课堂总次数"));
        Assert.Equal("20", Cell("同步课堂总次数要求"));
        Assert.Equal("0", Cell("同步课堂达标学科数"));
        Assert.Equal("1", Cell("其他形式最多次数"));
        Assert.Equal("否", Cell("年度目标是否达成"));
    }

    [Fact]
    public async Task Html_has_the_seed_headings_and_prints_on_a4()
    {
        var db = await MakeMonth();
        var file = Path.Combine(_dir.Path, "report.html");
        var code = await CtlCli.InvokeAsync(["report", "--db", db, "--month", "2022-10", "--format", "html", "--out", file], new StringWriter(), new StringWriter());
        Assert.Equal(0, code);
        var html = await File.ReadAllTextAsync(file);
        foreach (var heading in new[] { "“互联网+义务教育”结对帮扶工作推进情况月报表", "（结对学校用表）", "城镇学校：city-ps", "乡村学校：village-ps", "技术装备环境是否达标",
                     "结对过程数据", "活动次数", "参与师生数", "涉及学科", "城乡同步课堂", "远程专递课堂", "名师网络课堂", "教师网络研修", "城区学校", "乡村学校" })
            Assert.Contains(heading, html);
        Assert.Contains("@page { size: A4", html);
        Assert.Contains("<td>119</td>", html);
        // Every element opened is closed (a parse check without a browser).
        foreach (var tag in new[] { "section", "table", "tr", "td", "th", "h1", "p", "style", "head", "body", "html" })
            Assert.Equal(System.Text.RegularExpressions.Regex.Matches(html, $"<{tag}[ >]").Count, System.Text.RegularExpressions.Regex.Matches(html, $"</{tag}>").Count);
    }

    [Theory]
    [InlineData("2026-11-27", 2026, 11)] // Friday before the last working day (Monday the 30th)
    [InlineData("2026-11-30", 2026, 11)] // the last working day itself
    [InlineData("2026-05-29", 2026, 5)]  // Friday, the last working day of May
    [InlineData("2026-05-30", 2026, 6)]  // Saturday after it: June's report is the one due next
    [InlineData("2026-12-31", 2026, 12)]
    public void The_default_month_is_the_one_due_next(string today, int year, int month) =>
        Assert.Equal((year, month), MonthlyReport.DefaultMonth(DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture)));
}
