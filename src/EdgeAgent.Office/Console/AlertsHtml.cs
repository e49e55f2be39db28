using System.Text;
using System.Text.Encodings.Web;
using EdgeAgent.Contract.Time;
using EdgeAgent.Office.Store;

namespace EdgeAgent.Office.Console;

/// <summary>The alert list as HTML (the page on load, and again when the live feed says the alerts changed).</summary>
public static class AlertsHtml
{
    private static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static string Tables(IReadOnlyList<AlertRow> open, IReadOnlyList<AlertRow> resolved, bool canAct)
    {
        var b = new StringBuilder();
        b.Append($"""<div id="alert-tables"><h2>未解除 Open <span id="open-count">{open.Count}</span></h2>""");
        b.Append("<table class=\"grid\" id=\"open-alerts\"><tr><th>级别 severity</th><th>规则 rule</th><th>教室 room</th><th>对象 subject</th><th>详情 detail</th><th>告警时间 raised</th><th>升级 escalated</th><th>确认 acknowledged</th><th></th></tr>");
        foreach (var a in open)
        {
            var actions = !canAct ? "" :
                (a.AcknowledgedAt is null ? $"""<button data-ack="{E(a.Id)}">确认 acknowledge</button>""" : "")
                + $"""<button data-suppress-room="{E(a.Room)}" data-suppress-rule="{E(a.Rule)}">屏蔽 suppress</button>""";
            b.Append($"""<tr data-alert="{E(a.Id)}" data-rule="{E(a.Rule)}" data-room="{E(a.Room)}" class="{(a.Severity == "important" ? "offline" : "problem")}">""");
            b.Append($"""<td>{E(a.Severity == "important" ? "重要 important" : "警告 warning")}</td><td>{E(a.Rule)}</td><td><a href="{E(FleetHtml.RoomLink(a.Room))}">{E(a.Room)}</a></td><td>{E(a.Subject)}</td><td>{E(a.Detail)}</td>""");
            b.Append($"""<td>{E(SchoolTime.Minutes(a.RaisedAt))}</td><td>{E(a.EscalatedAt is { } x ? SchoolTime.Minutes(x) : "")}</td><td class="ack">{E(a.AcknowledgedBy is null ? "" : $"{a.AcknowledgedBy} {SchoolTime.Minutes(a.AcknowledgedAt)}")}</td><td>{actions}</td></tr>""");
        }
        b.Append("</table><h2>最近解除 Recently resolved</h2><table class=\"grid\" id=\"resolved-alerts\"><tr><th>级别 severity</th><th>规则 rule</th><th>教室 room</th><th>详情 detail</th><th>告警时间 raised</th><th>解除 resolved</th><th>如何 how</th></tr>");
        foreach (var a in resolved)
            b.Append($"""<tr data-alert="{E(a.Id)}"><td>{E(a.Severity)}</td><td>{E(a.Rule)}</td><td>{E(a.Room)}</td><td>{E(a.Detail)}</td><td>{E(SchoolTime.Minutes(a.RaisedAt))}</td><td>{E(SchoolTime.Minutes(a.ResolvedAt))}</td><td>{E(a.Resolution)}</td></tr>""");
        b.Append("</table></div>");
        return b.ToString();
    }
}
