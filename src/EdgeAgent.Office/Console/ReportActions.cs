using System.Globalization;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Office.Reports;
using EdgeAgent.Office.Store;

namespace EdgeAgent.Office.Console;

/// <summary>
/// The monthly form as files: <c>/reports/YYYY-MM/form.html</c> and <c>form.pdf</c> (every pair, one A4 page each) and
/// <c>form.csv</c>; any signed-in user (the county office prepares the report).
/// </summary>
public static class ReportActions
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/reports/{month}/form.html", async (string month, OfficeStore store, CancellationToken ct) =>
            Parse(month) is not { } m ? Bad(month) : Results.Content(MonthlyForm.Html(await PagesAsync(store, m, ct).ConfigureAwait(false), month), "text/html; charset=utf-8"));
        app.MapGet("/reports/{month}/form.csv", async (string month, OfficeStore store, CancellationToken ct) =>
            Parse(month) is not { } m ? Bad(month)
            : Results.File(System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(
                ReportWriter.Csv((await PagesAsync(store, m, ct).ConfigureAwait(false)).Select(p => p.Report).ToList()))).ToArray(), "text/csv; charset=utf-8", $"月报表-{month}.csv"));
        app.MapGet("/reports/{month}/form.pdf", async (string month, OfficeStore store, PdfPrinter printer, CancellationToken ct) =>
        {
            if (Parse(month) is not { } m) return Bad(month);
            try
            {
                var pdf = await printer.PrintAsync(MonthlyForm.Html(await PagesAsync(store, m, ct).ConfigureAwait(false), month), ct).ConfigureAwait(false);
                return Results.File(pdf, "application/pdf", $"月报表-{month}.pdf");
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                return Results.Json(new { ok = false, error = new { code = "unavailable", message = e.Message } }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
    }

    public static Task<IReadOnlyList<MonthlyForm.Page>> PagesAsync(OfficeStore store, (int Year, int Month) m, CancellationToken ct) =>
        MonthlyForm.BuildAsync(store, m.Year, m.Month, new ProgrammeTargets(), ct);

    public static (int Year, int Month)? Parse(string? month) =>
        month is not null && DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? (d.Year, d.Month) : null;

    /// <summary>The month whose report is due next, in school time.</summary>
    public static string DefaultMonth(TimeProvider time)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), SchoolTime.ChinaStandardTime).DateTime);
        var (y, m) = MonthlyReport.DefaultMonth(today);
        return $"{y:0000}-{m:00}";
    }

    private static IResult Bad(string month) =>
        Results.Json(new { ok = false, error = new { code = "bad_args", message = $"'{month}' is not a month: YYYY-MM" } }, statusCode: StatusCodes.Status400BadRequest);
}
