using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EdgeAgent.Client.Terminal;

/// <summary>
/// A compliance report as the installer and the technician read it, rule by rule in Chinese and English with the
/// measured value, the threshold and the evidence: the same table for <c>edgeagent check</c> and
/// <c>edgeagent-ctl diag ROOM compliance-check</c>.
/// </summary>
public static class ComplianceTable
{
    public static void Write(ComplianceReport report, TextWriter output, bool color, int? width = null)
    {
        var console = Tables.For(output, width ?? Tables.Width(output), color);
        console.WriteLine($"技术装备环境检查 / Technical environment check: {report.School}/{report.Room} ({Words.Of(report.Role)}), policy {report.PolicyId} {report.PolicyVersion}, {SchoolTime.Minutes(report.At)} (school time)");
        var table = new Table().Border(TableBorder.Simple);
        foreach (var h in new[] { "rule", "规则 / rule", "measured", "threshold", "verdict", "evidence" }) table.AddColumn(new TableColumn(new Text(h)));
        foreach (var r in report.Rules)
        {
            var measured = r.Measured is null ? "—" : $"{r.Measured} {r.Unit}".Trim();
            table.AddRow(new IRenderable[]
            {
                new Text(r.Id), new Text($"{r.TitleZh} / {r.TitleEn}"), new Text(measured), new Text(r.Threshold ?? "report only"),
                Tables.Verdict(r.Verdict), new Text(r.Evidence),
            });
        }
        console.Write(table);
        console.Write(new Text($"结论 / verdict: {Verdicts.Chinese(report.Verdict)} / "));
        console.Write(Tables.Verdict(report.Verdict));
        console.WriteLine($"  ({report.Unknown} rule(s) unknown)");
    }
}
