using System.Diagnostics;
using EdgeAgent.Office.Configuration;
using EdgeAgent.Office.Reports;
using EdgeAgent.Office.Store;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Office;

/// <summary>
/// The monthly form complete: the hand-made October 2022 (MonthlyReportTests) with the fields the office enters, as HTML
/// in the form's grid, printed to PDF by Debian's headless Chromium, checked with poppler (pdftotext, pdfinfo, pdffonts,
/// pdftoppm).
/// </summary>
public sealed class MonthlyFormTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static readonly FormInputs October = new(
        UrbanName: "杭州市丁荷小学", RuralName: "金华市婺城区长山乡中心小学", Filler: "张卫群", Stage: "小学", AgreementSigned: "是",
        UrbanContact: "张卫群", UrbanPhone: "0571-88001234", RuralContact: "李明", RuralPhone: "0579-82001234",
        Urban: new SchoolSideInputs("是", "是", 12, "否"), Rural: new SchoolSideInputs("是", "否", 7, "是"),
        Publicity: new PublicityInputs(3, 2, 1, 0),
        Highlights: "双师同备一节课，课后共同批改作业", NextMonthPlan: "11月开展英语同步课堂两次", Other: "无");

    private static async Task<string> Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)}: exit {p.ExitCode}: {error}");
        return output;
    }

    [Fact]
    public async Task The_form_of_a_hand_made_month_prints_to_pdf_with_every_value_in_chinese()
    {
        var db = await MonthlyReportTests.MakeMonth(_dir.Path);
        await using var store = await OfficeStore.OpenAsync(db, CancellationToken.None);
        await store.SaveFormInputsAsync("city-ps", "village-ps", "2022-10", October, DateTimeOffset.UtcNow, "test", CancellationToken.None);
        var pages = await MonthlyForm.BuildAsync(store, 2022, 10, new ProgrammeTargets(), CancellationToken.None);
        var page = Assert.Single(pages);
        Assert.Equal("2022-10", page.InputsFrom);

        var pdf = await new PdfPrinter(new OfficeOptions(), NullLogger<PdfPrinter>.Instance).PrintAsync(MonthlyForm.Html(pages, "2022-10"), CancellationToken.None);
        var file = Path.Combine(_dir.Path, "form.pdf");
        await File.WriteAllBytesAsync(file, pdf);

        var info = await Run("pdfinfo", file);
        Assert.Matches(@"Pages:\s+1\b", info);
        Assert.Matches(@"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info);
        Assert.Contains("WenQuanYi", await Run("pdffonts", file)); // the CJK font the package depends on is embedded

        var text = await Run("pdftotext", "-layout", file, "-");
        string Flat(string s) => string.Concat(s.Where(c => !char.IsWhiteSpace(c)));
        var flat = Flat(text);
        foreach (var expected in new[]
                 {
                     "“互联网+义务教育”结对帮扶工作推进情况月报表", "（结对学校用表）", "城镇学校：杭州市丁荷小学", "乡村学校：金华市婺城区长山乡中心小学",
                     "填报人：张卫群", "工作月度：2022年10月", "学段小学", "是否已签订结对协议是", "城区学校联系人张卫群联系电话0571-88001234",
                     "乡村学校联系人李明联系电话0579-82001234",
                     // 城区学校: 技术装备环境是否达标 是 (its latest report of October passed), space 是, agreement uploaded 是, 12 uploads, not small.
                     "城区学校是是是12否", "乡村学校否是否7是",
                     // The fleet's numbers, worked out by hand in MonthlyReportTests.
                     "城乡同步课堂2119语文、数学", "远程专递课堂116科学", "名师网络课堂146英语", "教师网络研修11其他",
                     "宣传报道篇次校级县区级地市级省及以上3210", "亮点做法", "双师同备一节课，课后共同批改作业", "下月工作计划", "11月开展英语同步课堂两次", "其他无",
                 })
            Assert.Contains(Flat(expected), flat);

        var png = Path.Combine(_dir.Path, "form");
        await Run("pdftoppm", "-png", "-r", "80", "-singlefile", file, png);
        Assert.True(new FileInfo(png + ".png").Length > 20_000, "the rendered page is not an empty sheet");
        File.Copy(png + ".png", Browser.ScreenshotPath("form.png"), overwrite: true);
    }

    [Fact]
    public async Task A_month_not_filled_yet_starts_from_the_standing_answers_of_the_last_one()
    {
        await using var store = await OfficeStore.OpenAsync(Path.Combine(_dir.Path, "office.db"), CancellationToken.None);
        await store.SaveFormInputsAsync("city-ps", "village-ps", "2022-10", October, DateTimeOffset.UtcNow, "test", CancellationToken.None);
        var (november, from) = await store.FormInputsAsync("city-ps", "village-ps", "2022-11", CancellationToken.None);
        Assert.Equal("2022-10", from);
        Assert.Equal(("杭州市丁荷小学", "李明", "0579-82001234", "小学"), (november.UrbanName, november.RuralContact, november.RuralPhone, november.Stage));
        Assert.Equal(("是", (int?)null), (november.Rural!.SpaceOpened, november.Rural.ProcessUploads));
        Assert.Null(november.Publicity);
        Assert.Null(november.Highlights);
        var (september, none) = await store.FormInputsAsync("city-ps", "village-ps", "2022-09", CancellationToken.None);
        Assert.Null(none);
        Assert.Null(september.UrbanName);
    }

    [Theory]
    [InlineData("urbanPhone", "urbanPhone:")]
    [InlineData("stage", "stage:")]
    [InlineData("rural.processUploads", "rural.processUploads:")]
    [InlineData("agreementSigned", "agreementSigned:")]
    public void A_bad_entry_is_refused_naming_the_field(string field, string expected)
    {
        var bad = field switch
        {
            "urbanPhone" => October with { UrbanPhone = "call me" },
            "stage" => October with { Stage = "大学" },
            "rural.processUploads" => October with { Rural = October.Rural! with { ProcessUploads = -1 } },
            _ => October with { AgreementSigned = "maybe" },
        };
        October.Check();
        var e = Assert.Throws<FormatException>(bad.Check);
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }
}
