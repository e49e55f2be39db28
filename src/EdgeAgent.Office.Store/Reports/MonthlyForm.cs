using EdgeAgent.Contract.Payloads;
using EdgeAgent.Office.Store;

namespace EdgeAgent.Office.Reports;

/// <summary>The monthly form complete: what the fleet reported (<see cref="MonthlyReport"/>) with what the office entered per pair (<see cref="FormInputs"/>).</summary>
public static class MonthlyForm
{
    public sealed record Page(PairReport Report, FormInputs Inputs, string? InputsFrom);

    public static async Task<IReadOnlyList<Page>> BuildAsync(OfficeStore store, int year, int month, ProgrammeTargets targets, CancellationToken ct)
    {
        var pairs = await MonthlyReport.BuildAsync(store, year, month, targets, ct).ConfigureAwait(false);
        var pages = new List<Page>();
        foreach (var p in pairs)
        {
            var (inputs, from) = await store.FormInputsAsync(p.UrbanSchool, p.RuralSchool, p.Month, ct).ConfigureAwait(false);
            pages.Add(new Page(p, inputs, from));
        }
        return pages;
    }

    public static string Html(IReadOnlyList<Page> pages, string month) =>
        ReportWriter.Html(pages.Select(p => p.Report).ToList(), month, r => pages.First(p => p.Report == r).Inputs);
}
