using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Office.Fleet;
using EdgeAgent.Office.Hosting;
using EdgeAgent.Office.Store;

namespace EdgeAgent.Office.Alerts;

/// <summary>
/// Raises, escalates and resolves alerts from the rules (<see cref="AlertRules"/>): every few seconds over the live fleet,
/// and at once for each lesson record the collector stores. An alert is raised when its condition has held for the rule's
/// minutes (in school hours if the rule says so) and the room and rule are not suppressed; it resolves by itself when the
/// condition ends (a failed lesson: when acknowledged); one not acknowledged within <c>escalateAfterMinutes</c> is escalated.
/// Each raise, escalation and resolution goes to the notification outbox (stored first, sent at least once).
/// </summary>
public sealed class AlertEngine(OfficeStore store, FleetLive live, CollectorService collector, ILogger<AlertEngine> log, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Pass = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(string Rule, string Room, string Subject), DateTimeOffset> _firstSeen = [];
    private Dictionary<(string Rule, string Room, string Subject), AlertRow> _open = [];
    private AlertRules _rules = AlertRules.Default;
    private DateTimeOffset? _rulesAt;
    private long _raised;

    /// <summary>An alert was raised, escalated, acknowledged or resolved.</summary>
    public event Action? Changed;

    public AlertRules Rules => _rules;
    public long Raised => Interlocked.Read(ref _raised);
    public IReadOnlyList<AlertRow> Open { get { lock (_open) return _open.Values.OrderBy(a => a.RaisedAt).ToList(); } }

    public override async Task StartAsync(CancellationToken ct)
    {
        if (await store.DocumentAsync(AlertRules.DocumentKind, ct).ConfigureAwait(false) is null)
            await store.SaveDocumentAsync(AlertRules.DocumentKind, AlertRules.DefaultJson, time.GetUtcNow(), "(default)", ct).ConfigureAwait(false);
        await ReloadRulesAsync(ct).ConfigureAwait(false);
        _open = (await store.OpenAlertsAsync(ct).ConfigureAwait(false)).ToDictionary(a => (a.Rule, a.Room, a.Subject));
        collector.Collector.StoredDocument += OnStored;
        await base.StartAsync(ct).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        collector.Collector.StoredDocument -= OnStored;
        await base.StopAsync(ct).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Pass, time);
        do
        {
            try
            {
                await EvaluateAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("alerts: a pass failed ({Type}: {Message}); trying again", e.GetType().Name, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    /// <summary>The rules as kept in the database, when they changed there (an admin in another office instance, or <c>edgeagent-office rules set</c>).</summary>
    private async Task ReloadRulesAsync(CancellationToken ct)
    {
        if (await store.DocumentAsync(AlertRules.DocumentKind, ct).ConfigureAwait(false) is not { } kept || kept.At == _rulesAt) return;
        _rulesAt = kept.At;
        try
        {
            _rules = AlertRules.Parse(kept.Json);
            log.LogInformation("alert rules {Version}: {Count} rules (saved by {By})", _rules.Version, _rules.Rules.Count, kept.By);
        }
        catch (FormatException e)
        {
            log.LogError("the alert rules kept in the database do not read ({Problem}); the rules in force stay until an admin saves good ones", e.Message);
        }
    }

    /// <summary>Replaces the rules with a checked document (FormatException naming the field otherwise) and keeps it.</summary>
    public async Task<AlertRules> ReplaceRulesAsync(string json, string who, CancellationToken ct)
    {
        var rules = AlertRules.Parse(json);
        var at = time.GetUtcNow();
        await store.SaveDocumentAsync(AlertRules.DocumentKind, json, at, who, ct).ConfigureAwait(false);
        _rules = rules;
        _rulesAt = (await store.DocumentAsync(AlertRules.DocumentKind, ct).ConfigureAwait(false))?.At;
        return rules;
    }

    public async Task<string> RulesJsonAsync(CancellationToken ct) =>
        (await store.DocumentAsync(AlertRules.DocumentKind, ct).ConfigureAwait(false))?.Json ?? AlertRules.DefaultJson;

    /// <summary>One pass over the fleet now.</summary>
    public async Task EvaluateAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await ReloadRulesAsync(ct).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var rules = _rules;
            var suppressed = await store.SuppressionsAsync(now, ct).ConfigureAwait(false);
            var holding = new Dictionary<(string Rule, string Room, string Subject), (AlertRule Rule, string Detail, DateTimeOffset? Since)>();
            foreach (var room in live.Rooms)
                foreach (var rule in rules.Rules.Where(r => r.Enabled && r.Condition != AlertConditions.LessonFailed))
                    foreach (var (subject, detail, since) in Holding(rule, room, now))
                        holding[(rule.Id, room.Id, subject)] = (rule, detail, since);
            var changed = false;
            foreach (var (key, h) in holding)
            {
                if (!_firstSeen.TryGetValue(key, out var first)) _firstSeen[key] = first = now;
                var since = h.Since is { } s && s < first ? s : first;
                bool open;
                lock (_open) open = _open.ContainsKey(key);
                if (open || suppressed.ContainsKey((key.Room, key.Rule))) continue;
                if (now - since < TimeSpan.FromMinutes(h.Rule.Minutes)) continue;
                if (h.Rule.SchoolHoursOnly && !rules.SchoolHours.Contains(now)) continue;
                await RaiseAsync(h.Rule, key.Room, key.Subject, h.Detail, now, ct).ConfigureAwait(false);
                changed = true;
            }
            foreach (var key in _firstSeen.Keys.Where(k => !holding.ContainsKey(k)).ToList()) _firstSeen.Remove(key);
            List<AlertRow> open2;
            lock (_open) open2 = _open.Values.ToList();
            foreach (var alert in open2)
            {
                var key = (alert.Rule, alert.Room, alert.Subject);
                var rule = rules.Rules.FirstOrDefault(r => r.Id == alert.Rule);
                var eventLike = rule?.Condition == AlertConditions.LessonFailed;
                if (!eventLike && !holding.ContainsKey(key))
                {
                    await ResolveAsync(alert, now, rule is null || !rule.Enabled ? "rule removed or disabled" : "condition cleared", ct).ConfigureAwait(false);
                    changed = true;
                }
                else if (alert.AcknowledgedAt is null && alert.EscalatedAt is null && now - alert.RaisedAt >= TimeSpan.FromMinutes(rules.EscalateAfterMinutes))
                {
                    var escalated = alert with { EscalatedAt = now };
                    await store.SaveAlertAsync(escalated, ct).ConfigureAwait(false);
                    lock (_open) _open[key] = escalated;
                    await NotifyAsync(escalated, "escalated", now, ct).ConfigureAwait(false);
                    changed = true;
                }
            }
            if (changed) Changed?.Invoke();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>What of <paramref name="rule"/> holds in <paramref name="room"/> now: (subject, detail, since when if the documents say).</summary>
    private static IEnumerable<(string Subject, string Detail, DateTimeOffset? Since)> Holding(AlertRule rule, LiveRoom room, DateTimeOffset now)
    {
        lock (room)
        {
            var v = room.View;
            switch (rule.Condition)
            {
                case AlertConditions.RoomOffline when v.Online == false:
                    return [("", $"离线 offline since {SchoolTime.Minutes(room.Since)}", room.Since)];
                case AlertConditions.DeviceOffline when v.Online == true && v.Health is { } h
                                                         && (!rule.DuringLessonOnly || h.Lesson is not null || room.Ahead?.Preparing(now) == true):
                    var when = h.Lesson is not null ? $" — 上课中 during lesson {h.Lesson.Booking ?? h.Lesson.Id}"
                        : room.Ahead?.Preparing(now) == true ? $" — 课前准备中 preparing {room.Ahead.Next(now)?.Booking}" : "";
                    return h.Devices.Where(d => d.State != "online").Select(d => (d.Id, $"{d.Id} ({d.Kind}) {d.State}: {d.Detail}{when}", d.LastSeen)).ToList();
                case AlertConditions.ClashAhead when room.Ahead is { } ahead:
                    return ahead.Upcoming.Where(l => l.Clash && l.End > now)
                        .Select(l => (l.Booking, $"课表冲突 clash: {l.Booking} {SchoolTime.Minutes(l.Start)} {l.Subject} · {l.PartnerSchool}{(l.Note is null ? "" : $" ({l.Note})")}", (DateTimeOffset?)null))
                        .ToList();
                case AlertConditions.ComplianceFail when v.Compliance is { Verdict: "fail" } c:
                    return [("", "不达标 fail: " + string.Join(", ", c.Rules.Where(r => r.Verdict == "fail").Select(r => $"{r.Id} {r.Measured} ({r.Threshold})")), c.At)];
                case AlertConditions.DiskLow when v.Online == true && v.Health?.Host is { } host && host.RecordingFreeBytes < rule.ThresholdGb * 1e9:
                    return [("", string.Create(CultureInfo.InvariantCulture, $"录像空间 recording space {host.RecordingFreeBytes / 1e9:0.0} GB free (< {rule.ThresholdGb} GB)"), null)];
                case AlertConditions.PartnerMissing when v.Online == true && v.Health?.Lesson?.Playback is { State: "waiting" or "lost" } p:
                    return [(v.Health.Lesson.Id, $"对方画面缺失 partner {p.Partner} {p.State} (lesson {v.Health.Lesson.Booking ?? v.Health.Lesson.Id})", null)];
                default:
                    return [];
            }
        }
    }

    private void OnStored(OfficeKind kind, RoomAddress room, byte[] payload)
    {
        if (kind != OfficeKind.Lesson) return;
        LessonRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(payload, ContractJson.Wire.LessonRecord);
        }
        catch (JsonException)
        {
            return;
        }
        if (record is null || record.Status is not (LessonStatus.Failed or LessonStatus.Missed)) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await LessonFailedAsync(room.ToString(), record, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                log.LogWarning("alerts: lesson {Lesson}: {Message}", record.Id, e.Message);
            }
        });
    }

    /// <summary>A failed or missed lesson: one alert per lesson, under every enabled lesson-failed rule.</summary>
    public async Task LessonFailedAsync(string room, LessonRecord record, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var suppressed = await store.SuppressionsAsync(now, ct).ConfigureAwait(false);
            var raised = false;
            foreach (var rule in _rules.Rules.Where(r => r.Enabled && r.Condition == AlertConditions.LessonFailed))
            {
                bool open;
                lock (_open) open = _open.ContainsKey((rule.Id, room, record.Id));
                if (open || suppressed.ContainsKey((room, rule.Id))) continue;
                var detail = $"课 lesson {record.BookingId ?? record.Id} ({record.Subject}, {SchoolTime.Minutes(record.PlannedStart ?? record.ActualStart)}) {record.Status}"
                    + (record.Reason is null ? "" : $": {record.Reason}");
                await RaiseAsync(rule, room, record.Id, detail, now, ct).ConfigureAwait(false);
                raised = true;
            }
            if (raised) Changed?.Invoke();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<AlertRow?> AcknowledgeAsync(string id, string who, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            AlertRow? alert;
            lock (_open) alert = _open.Values.FirstOrDefault(a => a.Id == id);
            if (alert is null) return null;
            var now = time.GetUtcNow();
            var rule = _rules.Rules.FirstOrDefault(r => r.Id == alert.Rule);
            var acknowledged = alert with { AcknowledgedAt = now, AcknowledgedBy = who };
            // A failed lesson is a thing that happened: acknowledging it closes it.
            if (rule?.Condition == AlertConditions.LessonFailed) await ResolveAsync(acknowledged, now, $"acknowledged by {who}", ct).ConfigureAwait(false);
            else
            {
                await store.SaveAlertAsync(acknowledged, ct).ConfigureAwait(false);
                lock (_open) _open[(alert.Rule, alert.Room, alert.Subject)] = acknowledged;
            }
            Changed?.Invoke();
            return acknowledged;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>No alerts of <paramref name="rule"/> for <paramref name="room"/> until <paramref name="until"/>; its open ones are resolved.</summary>
    public async Task SuppressAsync(string room, string rule, DateTimeOffset until, string who, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            await store.SuppressAsync(room, rule, until, who, ct).ConfigureAwait(false);
            List<AlertRow> matching;
            lock (_open) matching = _open.Values.Where(a => a.Room == room && a.Rule == rule).ToList();
            foreach (var a in matching) await ResolveAsync(a, now, $"suppressed by {who} until {SchoolTime.Minutes(until)}", ct).ConfigureAwait(false);
            Changed?.Invoke();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RaiseAsync(AlertRule rule, string room, string subject, string detail, DateTimeOffset now, CancellationToken ct)
    {
        var id = now.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var alert = new AlertRow(id, rule.Id, room, subject, rule.Severity, detail, now, null, null, null, null, null);
        await store.SaveAlertAsync(alert, ct).ConfigureAwait(false);
        lock (_open) _open[(rule.Id, room, subject)] = alert;
        Interlocked.Increment(ref _raised);
        log.LogInformation("alert {Rule} ({Severity}) for {Room}: {Detail}", rule.Id, rule.Severity, room, detail);
        await NotifyAsync(alert, "raised", now, ct).ConfigureAwait(false);
    }

    private async Task ResolveAsync(AlertRow alert, DateTimeOffset now, string resolution, CancellationToken ct)
    {
        var resolved = alert with { ResolvedAt = now, Resolution = resolution };
        await store.SaveAlertAsync(resolved, ct).ConfigureAwait(false);
        lock (_open) _open.Remove((alert.Rule, alert.Room, alert.Subject));
        log.LogInformation("alert {Rule} for {Room} resolved: {Resolution}", alert.Rule, alert.Room, resolution);
        await NotifyAsync(resolved, "resolved", now, ct).ConfigureAwait(false);
    }

    /// <summary>Into the outbox: every webhook; mail to <c>email</c> (and on escalation to <c>escalateEmail</c> too).</summary>
    private async Task NotifyAsync(AlertRow alert, string what, DateTimeOffset now, CancellationToken ct)
    {
        var rules = _rules;
        var body = new JsonObject
        {
            ["schema"] = "edgeagent.alert/1", ["event"] = what, ["id"] = alert.Id, ["rule"] = alert.Rule, ["room"] = alert.Room, ["subject"] = alert.Subject,
            ["severity"] = alert.Severity, ["detail"] = alert.Detail, ["raisedAt"] = SchoolTime.Seconds(alert.RaisedAt),
            ["acknowledgedBy"] = alert.AcknowledgedBy, ["resolution"] = alert.Resolution,
        }.ToJsonString();
        var word = what switch { "raised" => "告警", "escalated" => "升级告警", _ => "已解除" };
        var subject = $"[{word} {what}] {(alert.Severity == Severities.Important ? "重要" : "警告")} {alert.Rule} · {alert.Room}";
        foreach (var hook in rules.Notify.Webhooks) await store.EnqueueNotificationAsync("webhook", hook.ToString(), subject, body, now, ct).ConfigureAwait(false);
        var text = $"{subject}\n\n{alert.Detail}\n\n教室 room: {alert.Room}\n规则 rule: {alert.Rule}\n级别 severity: {alert.Severity}\n告警时间 raised: {SchoolTime.Seconds(alert.RaisedAt)}"
            + (alert.Resolution is null ? "" : $"\n解除 resolved: {alert.Resolution}");
        var to = what == "escalated" ? rules.Notify.Email.Concat(rules.Notify.EscalateEmail).Distinct() : rules.Notify.Email;
        foreach (var mail in to) await store.EnqueueNotificationAsync("email", mail, subject, text, now, ct).ConfigureAwait(false);
    }
}
