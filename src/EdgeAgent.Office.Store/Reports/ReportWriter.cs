using System.Globalization;
using System.Net;
using System.Text;

using EdgeAgent.Office.Store;

namespace EdgeAgent.Office.Reports;

/// <summary>The monthly report as CSV (one line per school pair) or as HTML that prints on A4 (one page per pair), with the seed's Chinese headings.</summary>
public static class ReportWriter
{
    public static string Csv(IReadOnlyList<PairReport> pairs)
    {
        var sb = new StringBuilder();
        var head = new List<string> { "工作月度", "城镇学校", "乡村学校", "技术装备环境是否达标(城区学校)", "技术装备环境是否达标(乡村学校)" };
        foreach (var form in MonthlyReport.FormOrder)
        {
            var name = MonthlyReport.FormNames[form];
            head.AddRange([$"{name}活动次数", $"{name}参与师生数", $"{name}涉及学科"]);
        }
        head.AddRange(["学年", "同步课堂达标学科数", "同步课堂达标学科数要求", "同步课堂总次数", "同步课堂总次数要求", "其他形式最多次数", "其他形式次数要求", "年度目标是否达成"]);
        sb.Append(string.Join(',', head.Select(Cell))).Append("\r\n");
        foreach (var p in pairs)
        {
            var row = new List<string> { p.Month, p.UrbanSchool, p.RuralSchool, p.UrbanEquipment, p.RuralEquipment };
            foreach (var line in p.Forms)
                row.AddRange([Int(line.Activities), Int(line.Participants), string.Join('、', line.Subjects)]);
            row.AddRange([p.SchoolYear, Int(p.Year.SyncSubjectsAtTarget), Int(p.Year.SyncSubjectsNeeded), Int(p.Year.SyncLessons), Int(p.Year.SyncLessonsNeeded),
                Int(p.Year.BestOtherFormLessons), Int(p.Year.OtherFormLessonsNeeded), p.Year.Met ? "是" : "否"]);
            sb.Append(string.Join(',', row.Select(Cell))).Append("\r\n");
        }
        return sb.ToString();
    }

    public static string Html(IReadOnlyList<PairReport> pairs, string month)
    {
        var sb = new StringBuilder();
        sb.Append("""
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8">
            <title>“互联网+义务教育”结对帮扶工作推进情况月报表 
            """).Append(E(month)).Append("""
            </title>
            <style>
            @page { size: A4 portrait; margin: 15mm; }
            body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; font-size: 10.5pt; color: #000; }
            section.pair { page-break-after: always; break-after: page; width: 180mm; }
            section.pair:last-child { page-break-after: auto; break-after: auto; }
            h1 { font-size: 15pt; text-align: center; margin: 0 0 2mm; }
            p.sub { text-align: center; margin: 0 0 4mm; }
            table { border-collapse: collapse; width: 100%; margin-bottom: 4mm; }
            th, td { border: 1px solid #000; padding: 1.5mm 2mm; text-align: center; vertical-align: middle; }
            th { font-weight: bold; background: #eee; }
            td.left { text-align: left; }
            </style></head><body>

            """);
        if (pairs.Count == 0) sb.Append("<p>本月无记录 (no lesson records for ").Append(E(month)).Append(").</p>");
        foreach (var p in pairs)
        {
            sb.Append("<section class=\"pair\">\n<h1>“互联网+义务教育”结对帮扶工作推进情况月报表</h1>\n<p class=\"sub\">（结对学校用表）</p>\n");
            sb.Append("<p>城镇学校：").Append(E(p.UrbanSchool)).Append("　乡村学校：").Append(E(p.RuralSchool)).Append("　工作月度：").Append(E(p.Month)).Append("</p>\n");
            sb.Append("<table>\n<tr><th></th><th>技术装备环境是否达标</th></tr>\n");
            sb.Append("<tr><th>城区学校</th><td>").Append(E(p.UrbanEquipment)).Append("</td></tr>\n");
            sb.Append("<tr><th>乡村学校</th><td>").Append(E(p.RuralEquipment)).Append("</td></tr>\n</table>\n");
            sb.Append("<table>\n<tr><th>结对过程数据</th><th>活动次数</th><th>参与师生数</th><th>涉及学科</th></tr>\n");
            foreach (var line in p.Forms)
            {
                sb.Append("<tr><th>").Append(E(MonthlyReport.FormNames[line.Form])).Append("</th><td>").Append(Int(line.Activities)).Append("</td><td>")
                    .Append(Int(line.Participants)).Append("</td><td class=\"left\">").Append(E(string.Join("、", line.Subjects))).Append("</td></tr>\n");
            }
            sb.Append("</table>\n");
            var y = p.Year;
            sb.Append("<table>\n<tr><th colspan=\"3\">学年进度（").Append(E(p.SchoolYear)).Append("）</th></tr>\n<tr><th>目标</th><th>完成</th><th>要求</th></tr>\n");
            sb.Append("<tr><td class=\"left\">城乡同步课堂：达标学科数（每科 ≥ ").Append(Int(y.SyncLessonsPerSubjectNeeded)).Append(" 次）</td><td>")
                .Append(Int(y.SyncSubjectsAtTarget)).Append("</td><td>").Append(Int(y.SyncSubjectsNeeded)).Append("</td></tr>\n");
            sb.Append("<tr><td class=\"left\">城乡同步课堂：总次数</td><td>").Append(Int(y.SyncLessons)).Append("</td><td>").Append(Int(y.SyncLessonsNeeded)).Append("</td></tr>\n");
            sb.Append("<tr><td class=\"left\">其他帮扶形式：最多一种（").Append(E(y.BestOtherForm is { } f ? MonthlyReport.FormNames.GetValueOrDefault(f, f) : "—"))
                .Append("）</td><td>").Append(Int(y.BestOtherFormLessons)).Append("</td><td>").Append(Int(y.OtherFormLessonsNeeded)).Append("</td></tr>\n");
            sb.Append("<tr><th>年度目标是否达成</th><td colspan=\"2\">").Append(y.Met ? "是" : "否").Append("</td></tr>\n</table>\n</section>\n");
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>RFC 4180: quoted when it holds a comma, quote or line break; a leading = + - @ is prefixed so a spreadsheet does not run it.</summary>
    private static string Cell(string s)
    {
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@') s = "'" + s;
        return s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }
}
