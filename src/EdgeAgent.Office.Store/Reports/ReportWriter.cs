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

    /// <summary>
    /// The form in its own grid (seed 000), one A4 page per pair: what the fleet reported, and what the office entered
    /// (<paramref name="inputs"/>; blank cells where nothing was). The school year's progress follows as an appendix.
    /// </summary>
    public static string Html(IReadOnlyList<PairReport> pairs, string month, Func<PairReport, FormInputs>? inputs = null)
    {
        var sb = new StringBuilder();
        sb.Append("""
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8">
            <title>“互联网+义务教育”结对帮扶工作推进情况月报表 
            """).Append(E(month)).Append("""
            </title>
            <style>
            @page { size: A4 portrait; margin: 12mm; }
            body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; font-size: 10pt; color: #000; margin: 0; }
            section.pair { page-break-after: always; break-after: page; width: 186mm; }
            section.pair:last-child { page-break-after: auto; break-after: auto; }
            h1 { font-size: 14pt; text-align: center; margin: 0 0 1mm; }
            p.sub { text-align: center; margin: 0 0 3mm; }
            p.head { margin: 1mm 0; }
            table { border-collapse: collapse; width: 100%; margin-bottom: 2mm; }
            th, td { border: 1px solid #000; padding: 1.2mm 1.5mm; text-align: center; vertical-align: middle; }
            th { font-weight: bold; }
            td.left { text-align: left; white-space: pre-wrap; }
            td.text { text-align: left; white-space: pre-wrap; height: 14mm; vertical-align: top; }
            ol.notes { font-size: 8.5pt; margin: 2mm 0 0 0; padding-left: 5mm; }
            h2 { font-size: 10.5pt; margin: 3mm 0 1mm; }
            </style></head><body>

            """);
        if (pairs.Count == 0) sb.Append("<p>本月无记录 (no lesson records for ").Append(E(month)).Append(").</p>");
        foreach (var p in pairs)
        {
            var f = inputs?.Invoke(p) ?? new FormInputs();
            var u = f.Urban ?? new SchoolSideInputs();
            var r = f.Rural ?? new SchoolSideInputs();
            var pub = f.Publicity ?? new PublicityInputs();
            sb.Append("<section class=\"pair\">\n<h1>“互联网+义务教育”结对帮扶工作推进情况月报表</h1>\n<p class=\"sub\">（结对学校用表）</p>\n");
            sb.Append("<p class=\"head\">城镇学校：").Append(E(f.UrbanName ?? p.UrbanSchool)).Append("　　乡村学校：").Append(E(f.RuralName ?? p.RuralSchool)).Append("</p>\n");
            sb.Append("<p class=\"head\">填报人：").Append(E(f.Filler ?? "")).Append("　　工作月度：").Append(E(MonthWords(p.Month))).Append("</p>\n");
            sb.Append("<table>\n<tr><th>学段</th><td>").Append(E(f.Stage ?? "")).Append("</td><th colspan=\"2\">是否已签订结对协议</th><td colspan=\"2\">").Append(E(f.AgreementSigned ?? "")).Append("</td></tr>\n");
            sb.Append("<tr><th>城区学校联系人</th><td>").Append(E(f.UrbanContact ?? "")).Append("</td><th>联系电话</th><td colspan=\"3\">").Append(E(f.UrbanPhone ?? "")).Append("</td></tr>\n");
            sb.Append("<tr><th>乡村学校联系人</th><td>").Append(E(f.RuralContact ?? "")).Append("</td><th>联系电话</th><td colspan=\"3\">").Append(E(f.RuralPhone ?? "")).Append("</td></tr>\n</table>\n");
            sb.Append("<table>\n<tr><th></th><th>技术装备环境是否达标</th><th>学校空间是否已开通</th><th>结对协议是否已上传</th><th>过程资料空间上传数</th><th>是否为小规模学校</th></tr>\n");
            foreach (var (label, equipment, side) in new[] { ("城区学校", p.UrbanEquipment, u), ("乡村学校", p.RuralEquipment, r) })
            {
                sb.Append("<tr><th>").Append(label).Append("</th><td>").Append(E(equipment)).Append("</td><td>").Append(E(side.SpaceOpened ?? "")).Append("</td><td>")
                    .Append(E(side.AgreementUploaded ?? "")).Append("</td><td>").Append(side.ProcessUploads is { } n ? Int(n) : "").Append("</td><td>")
                    .Append(E(side.SmallScale ?? "")).Append("</td></tr>\n");
            }
            sb.Append("</table>\n");
            sb.Append("<table>\n<tr><th></th><th></th><th>活动次数</th><th>参与师生数</th><th>涉及学科</th></tr>\n");
            for (var i = 0; i < p.Forms.Count; i++)
            {
                var line = p.Forms[i];
                sb.Append("<tr>");
                if (i == 0) sb.Append("<th rowspan=\"").Append(Int(p.Forms.Count)).Append("\">结对过程数据</th>");
                sb.Append("<th>").Append(E(MonthlyReport.FormNames[line.Form])).Append("</th><td>").Append(Int(line.Activities)).Append("</td><td>")
                    .Append(Int(line.Participants)).Append("</td><td class=\"left\">").Append(E(string.Join("、", line.Subjects))).Append("</td></tr>\n");
            }
            sb.Append("</table>\n");
            sb.Append("<table>\n<tr><th rowspan=\"2\">宣传报道篇次</th><th>校级</th><th>县区级</th><th>地市级</th><th>省及以上</th></tr>\n<tr>");
            foreach (var n in new[] { pub.School, pub.County, pub.City, pub.Province }) sb.Append("<td>").Append(n is { } v ? Int(v) : "").Append("</td>");
            sb.Append("</tr>\n</table>\n<table>\n");
            foreach (var (label, text) in new[] { ("亮点做法", f.Highlights), ("下月工作计划", f.NextMonthPlan), ("其他", f.Other) })
                sb.Append("<tr><th style=\"width: 28mm; vertical-align: top\">").Append(label).Append("</th><td class=\"text\">").Append(E(text ?? "")).Append("</td></tr>\n");
            sb.Append("</table>\n");
            sb.Append("<ol class=\"notes\"><li>此表供县（市、区）教育局使用，结对学校按实汇整数据后，每对学校填报一份，由受援的乡村结对学校填报上报县（市、区）教育局。</li>")
                .Append("<li>“学段”指“小学”、“初中”、“九年一贯制”。</li><li>“乡村学校”专指乡镇范围内的公办小学初中学校，不包含已设立街道的学校；“乡村小规模学校”指学生人数在100人以下的小学和教学点。</li>")
                .Append("<li>“技术装备环境”对照《结对帮扶技术环境指南》的要求核定。</li><li>“学校空间”指基于之江汇教育广场的学校空间。</li></ol>\n");
            var y = p.Year;
            sb.Append("<h2>附：学年进度（").Append(E(p.SchoolYear)).Append("）</h2>\n<table>\n<tr><th>目标</th><th>完成</th><th>要求</th></tr>\n");
            sb.Append("<tr><td class=\"left\">城乡同步课堂：达标学科数（每科 ≥ ").Append(Int(y.SyncLessonsPerSubjectNeeded)).Append(" 次）</td><td>")
                .Append(Int(y.SyncSubjectsAtTarget)).Append("</td><td>").Append(Int(y.SyncSubjectsNeeded)).Append("</td></tr>\n");
            sb.Append("<tr><td class=\"left\">城乡同步课堂：总次数</td><td>").Append(Int(y.SyncLessons)).Append("</td><td>").Append(Int(y.SyncLessonsNeeded)).Append("</td></tr>\n");
            sb.Append("<tr><td class=\"left\">其他帮扶形式：最多一种（").Append(E(y.BestOtherForm is { } bf ? MonthlyReport.FormNames.GetValueOrDefault(bf, bf) : "—"))
                .Append("）</td><td>").Append(Int(y.BestOtherFormLessons)).Append("</td><td>").Append(Int(y.OtherFormLessonsNeeded)).Append("</td></tr>\n");
            sb.Append("<tr><th>年度目标是否达成</th><td colspan=\"2\">").Append(y.Met ? "是" : "否").Append("</td></tr>\n</table>\n</section>\n");
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    /// <summary>"2022-10" → "2022年10月", as the form writes it.</summary>
    public static string MonthWords(string month) =>
        month.Split('-') is [var y, var m] && int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? $"{y}年{n}月" : month;

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>RFC 4180: quoted when it holds a comma, quote or line break; a leading = + - @ is prefixed so a spreadsheet does not run it.</summary>
    private static string Cell(string s)
    {
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@') s = "'" + s;
        return s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }
}
