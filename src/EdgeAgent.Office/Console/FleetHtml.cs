using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Office.Fleet;

namespace EdgeAgent.Office.Console;

/// <summary>
/// The console's live parts as HTML, written in one place: the page renders them on load and the live feed sends the same
/// markup when a room changes (the page swaps it in). Times in school time (Asia/Shanghai). Labels in Chinese with English.
/// </summary>
public static class FleetHtml
{
    private static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static string RoomLink(string id) => "/rooms/" + string.Join('/', id.Split('/').Select(Uri.EscapeDataString));

    /// <summary>Where a room stands, for colour and filters: offline, problem (a device not online, degraded, compliance fail), ok.</summary>
    public static string Condition(LiveRoom r) =>
        r.View.Online != true ? "offline"
        : r.View.DeviceProblems.Count > 0 || r.View.Health?.Degraded is { Count: > 0 } || r.View.Compliance?.Verdict == "fail" ? "problem"
        : "ok";

    /// <summary>The next lesson the room has booked (from its <c>lessons</c>), with a clash said.</summary>
    public static string Next(LiveRoom r, DateTimeOffset now) => r.Ahead?.Next(now) is { } n
        ? $"{SchoolTime.Of(n.Start):MM-dd HH:mm} {n.Subject}{(n.PartnerSchool is null ? "" : $" · {n.PartnerSchool}")}{(n.Clash ? $" · 冲突 CLASH{(n.Note is null ? "" : $" ({n.Note})")}" : "")}"
        : r.Ahead is null ? "?" : "-";

    public static string Row(LiveRoom r) => Row(r, DateTimeOffset.UtcNow);

    public static string Row(LiveRoom r, DateTimeOffset now)
    {
        lock (r)
        {
            var v = r.View;
            var online = v.Online switch { true => "在线 online", false => "离线 OFFLINE", null => "?" };
            var devices = v.Health is null ? "-" : v.DeviceProblems.Count == 0 ? "无 none" : string.Join(", ", v.DeviceProblems);
            var lesson = v.Health?.Lesson is { } l ? $"{l.Booking ?? l.Id} ({l.Stream?.State ?? "-"})" : "-";
            var update = v.Update switch
            {
                null => "-",
                { State: UpdateStates.Current or UpdateStates.None } u => u.Current,
                var u => $"{u.State} {u.Current}→{u.Target}",
            };
            return $"""
                <tr id="room-{E(r.Id)}" data-room="{E(r.Id)}" data-region="{E(v.Room.Region)}" data-school="{E(v.Room.School)}" data-condition="{Condition(r)}" class="{Condition(r)}">
                <td><a href="{E(RoomLink(r.Id))}">{E(v.Room.Region)} / {E(v.Room.School)} / {E(v.Room.Room)}</a></td>
                <td>{E(v.State?.Role is { } role ? Words.Of(role) : "-")}</td>
                <td class="online">{E(online)}</td><td>{E(SchoolTime.Minutes(r.Since))}</td>
                <td class="devices">{E(devices)}</td>
                <td class="verdict-{E(v.Compliance?.Verdict ?? "none")}">{E(v.Compliance?.Verdict ?? "-")}</td><td>{E(SchoolTime.Minutes(v.Compliance?.At))}</td>
                <td>{E(lesson)}</td><td class="next{(r.Ahead?.Next(now)?.Clash == true ? " verdict-fail" : "")}">{E(Next(r, now))}</td><td>{E(update)}</td><td>{E(SchoolTime.Minutes(v.HealthAt))}</td>
                </tr>
                """;
        }
    }

    public static string Counts(IReadOnlyList<LiveRoom> rooms)
    {
        int online = 0, offline = 0, problems = 0, failing = 0, inLesson = 0;
        foreach (var r in rooms)
        {
            switch (Condition(r))
            {
                case "offline": offline++; break;
                case "problem": online++; problems++; break;
                default: online++; break;
            }
            if (r.View.Compliance?.Verdict == "fail") failing++;
            if (r.View.Health?.Lesson is not null) inLesson++;
        }
        return $"""<span id="counts">教室 rooms <b>{rooms.Count}</b> · 在线 online <b>{online}</b> · 离线 offline <b class="n-offline">{offline}</b> · 有问题 with problems <b class="n-problem">{problems}</b> · 不达标 compliance fail <b>{failing}</b> · 上课中 in a lesson <b>{inLesson}</b></span>""";
    }

    /// <summary>The live part of a room page: state, devices, host, the lesson now.</summary>
    public static string Detail(LiveRoom r)
    {
        lock (r)
        {
            var v = r.View;
            var b = new StringBuilder();
            b.Append($"""<div id="detail" data-condition="{Condition(r)}">""");
            b.Append($"""<p class="state {Condition(r)}">{E(v.Online == true ? "在线 online" : v.Online == false ? "离线 OFFLINE" : "?")} · 自 since {E(SchoolTime.Minutes(r.Since))}""");
            b.Append($" · 版本 version {E(v.State?.Version ?? "-")} · 角色 role {E(v.State?.Role is { } role ? Words.Of(role) : "-")} · 最后心跳 last heartbeat {E(SchoolTime.Minutes(v.HealthAt))}</p>");
            if (v.Health?.Degraded is { Count: > 0 } degraded) b.Append($"""<p class="problem">降级 degraded: {E(string.Join("; ", degraded))}</p>""");
            b.Append("<h2>设备 Devices</h2><table class=\"grid\" id=\"devices\"><tr><th>设备 device</th><th>类型 kind</th><th>状态 state</th><th>详情 detail</th><th>最后应答 last seen</th><th>错误 errors</th><th>超时 timeouts</th><th>迟到应答 late</th></tr>");
            foreach (var d in v.Health?.Devices ?? [])
                b.Append($"""<tr data-device="{E(d.Id)}" class="{(d.State == "online" ? "ok" : "problem")}"><td>{E(d.Id)}</td><td>{E(d.Kind)}</td><td class="device-state">{E(d.State)}</td><td>{E(d.Detail)}</td><td>{E(d.LastSeen is { } s ? SchoolTime.Seconds(s) : "-")}</td><td>{d.Errors}</td><td>{d.Timeouts}</td><td>{d.LateReplies}</td></tr>""");
            b.Append("</table>");
            if (v.Health?.Host is { } h)
                b.Append(CultureInfo.InvariantCulture, $"<h2>主机 Host</h2><p>CPU {h.CpuPercent:0.#} % · 内存 memory {h.MemoryPercent:0.#} % · agent {h.AgentRssMb:0} MB · 录像空间 recording space {h.RecordingFreeBytes / 1e9:0.0} GB free · 温度 temperature {(h.TemperatureC is { } t ? $"{t:0.#} °C" : "-")} · 运行 uptime {TimeSpan.FromSeconds(h.UptimeSeconds):d\\.hh\\:mm}</p>");
            if (v.Health?.Uploads is { Files: > 0 } up)
                b.Append(CultureInfo.InvariantCulture, $"<p>待上传录像 recordings to upload: {up.Files} ({up.Bytes / 1e6:0} MB), 最早 oldest {E(SchoolTime.Minutes(up.Oldest))}</p>");
            b.Append("<h2>当前课 Lesson now</h2>");
            if (v.Health?.Lesson is { } l)
            {
                b.Append($"<p>{E(l.Booking ?? l.Id)} · 开始 started {E(SchoolTime.Minutes(l.Start))} · 计划结束 planned end {E(SchoolTime.Minutes(l.PlannedEnd))} · {E(l.StartedBy)}</p>");
                if (l.Stream is { } s)
                    b.Append(CultureInfo.InvariantCulture, $"""<p id="stream">发送 sending: {E(s.State)} · {s.Fps:0.#} fps · {s.BitrateKbps:0} kbit/s · 上行 uplink {(s.UplinkUp switch { true => "up", false => "DOWN", null => "-" })} · 重启 restarts {s.Restarts} · 卡顿 stalls {s.Stalls}{Link(s.Link)}</p>""");
                if (l.Playback is { } p)
                    b.Append(CultureInfo.InvariantCulture, $"""<p id="playback">播放对方 playing {E(p.Partner)}: {E(p.State)} · 延迟 latency {(p.LatencyMs is { } ms ? $"{ms:0} ms" : "-")} · 卡顿 stalls {p.Stalls} · 对方缺席 partner away {p.PartnerLostSeconds:0} s{Link(p.Link)}</p>""");
            }
            else b.Append("<p>无 none</p>");
            b.Append("</div>");
            return b.ToString();
        }
    }

    private static string Link(LiveLinkHealth? k) => k is null ? "" : string.Create(CultureInfo.InvariantCulture,
        $" · SRT RTT {k.RttMs:0} ms, {k.Mbps:0.00} Mbit/s, 丢包 loss {k.LossPercent:0.#} %, 重传 retransmit {k.RetransmitPercent:0.#} %, latency {k.LatencyMs} ms{(k.Rung is null ? "" : $", rung {k.Rung}")}");

    public static string Compliance(ComplianceReport? report)
    {
        if (report is null) return "<p>尚无报告 no report yet</p>";
        var b = new StringBuilder();
        b.Append($"<p>结论 verdict <b class=\"verdict-{E(report.Verdict)}\">{E(report.Verdict)}</b> · {E(SchoolTime.Minutes(report.At))} · 策略 policy {E(report.PolicyId)} {E(report.PolicyVersion)} · 触发 trigger {E(report.Trigger)} · 未测 unknown {report.Unknown}</p>");
        b.Append("<table class=\"grid\" id=\"compliance\"><tr><th>规则 rule</th><th>要求</th><th>requirement</th><th>实测 measured</th><th>阈值 threshold</th><th>结论 verdict</th><th>依据 evidence</th><th>出处 source</th></tr>");
        foreach (var rule in report.Rules)
            b.Append($"""<tr class="verdict-{E(rule.Verdict)}"><td>{E(rule.Id)}</td><td>{E(rule.TitleZh)}</td><td>{E(rule.TitleEn)}</td><td>{E(rule.Measured is null ? "-" : $"{rule.Measured} {rule.Unit}")}</td><td>{E(rule.Threshold ?? "-")}</td><td>{E(rule.Verdict)}</td><td>{E(rule.Evidence)}</td><td>{E(rule.Source)}</td></tr>""");
        b.Append("</table>");
        return b.ToString();
    }
}
