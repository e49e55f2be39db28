using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeAgent.Office.Alerts;

/// <summary>What the office watches for (<see cref="AlertRules.Conditions"/>).</summary>
public static class AlertConditions
{
    /// <summary>The room's agent is offline (its Will, or a clean stop) for <c>minutes</c>.</summary>
    public const string RoomOffline = "room-offline";
    /// <summary>A device of an online room is not online for <c>minutes</c> (with <c>duringLessonOnly</c>: while a lesson runs or in a lesson's prepare window).</summary>
    public const string DeviceOffline = "device-offline";
    /// <summary>A lesson record arrived with status failed or missed (one alert per lesson; it ends when acknowledged).</summary>
    public const string LessonFailed = "lesson-failed";
    /// <summary>The room's latest compliance report says fail.</summary>
    public const string ComplianceFail = "compliance-fail";
    /// <summary>The recording volume has less than <c>thresholdGb</c> free.</summary>
    public const string DiskLow = "disk-low";
    /// <summary>During a two-way lesson the partner's picture is missing (waiting or lost) for <c>minutes</c>.</summary>
    public const string PartnerMissing = "partner-missing";
    /// <summary>A lesson the room has booked in the next two days clashes with its partner's timetable (no shared window, or too short).</summary>
    public const string ClashAhead = "clash-ahead";

    public static readonly IReadOnlyList<string> All = [RoomOffline, DeviceOffline, LessonFailed, ComplianceFail, DiskLow, PartnerMissing, ClashAhead];
}

public static class Severities
{
    public const string Important = "important";
    public const string Warning = "warning";
    public static readonly IReadOnlyList<string> All = [Important, Warning];
}

/// <summary>One rule: a condition, how long it must hold, when it counts, how bad it is.</summary>
public sealed record AlertRule(string Id, string Condition, string Severity, int Minutes, bool SchoolHoursOnly, bool DuringLessonOnly, double? ThresholdGb, bool Enabled);

/// <summary>Who is told: webhooks (JSON POST) and mail addresses; on escalation the escalation addresses too.</summary>
public sealed record AlertNotify(IReadOnlyList<Uri> Webhooks, IReadOnlyList<string> Email, IReadOnlyList<string> EscalateEmail);

/// <summary>School hours in school time (Asia/Shanghai): the days and the span.</summary>
public sealed record SchoolHours(IReadOnlyList<DayOfWeek> Days, TimeOnly Start, TimeOnly End)
{
    public bool Contains(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, EdgeAgent.Contract.Time.SchoolTime.ChinaStandardTime);
        var t = TimeOnly.FromDateTime(local.DateTime);
        return Days.Contains(local.DayOfWeek) && t >= Start && t < End;
    }
}

/// <summary>
/// The office's alert rules as data (<c>edgeagent.alert-rules/1</c>), kept in the office database and edited by an admin
/// in the console; validated whole (a problem names the field), like the compliance policy.
/// </summary>
public sealed record AlertRules(string Version, SchoolHours SchoolHours, int EscalateAfterMinutes, AlertNotify Notify, IReadOnlyList<AlertRule> Rules)
{
    public const string SchemaId = "edgeagent.alert-rules/1";
    public const string DocumentKind = "alert-rules";

    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary>The rules a new office starts with (the issue's list); an admin changes them in the console.</summary>
    public const string DefaultJson = """
        {
          "schema": "edgeagent.alert-rules/1",
          "version": "default",
          "schoolHours": { "days": ["mon", "tue", "wed", "thu", "fri"], "start": "07:00", "end": "18:00" },
          "escalateAfterMinutes": 30,
          "notify": { "webhooks": [], "email": [], "escalateEmail": [] },
          "rules": [
            { "id": "room-offline", "condition": "room-offline", "severity": "important", "minutes": 10, "schoolHoursOnly": true },
            { "id": "device-offline-lesson", "condition": "device-offline", "severity": "important", "minutes": 1, "duringLessonOnly": true },
            { "id": "device-offline", "condition": "device-offline", "severity": "warning", "minutes": 15, "schoolHoursOnly": true },
            { "id": "lesson-failed", "condition": "lesson-failed", "severity": "important" },
            { "id": "compliance-fail", "condition": "compliance-fail", "severity": "warning" },
            { "id": "disk-low", "condition": "disk-low", "severity": "warning", "thresholdGb": 20 },
            { "id": "partner-missing", "condition": "partner-missing", "severity": "important", "minutes": 3 },
            { "id": "clash-ahead", "condition": "clash-ahead", "severity": "warning" }
          ]
        }
        """;

    public static AlertRules Default => Parse(DefaultJson);

    /// <summary>Reads and checks a rules document; throws <see cref="FormatException"/> naming the field.</summary>
    public static AlertRules Parse(string json)
    {
        JsonObject doc;
        try
        {
            doc = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new FormatException("(document): not a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"(document): not JSON: {e.Message}", e);
        }
        Known(doc, "", "schema", "version", "schoolHours", "escalateAfterMinutes", "notify", "rules");
        if (Str(doc, "schema") != SchemaId) throw new FormatException($"schema: must be {SchemaId}");
        var version = Str(doc, "version") ?? throw new FormatException("version: required (a name for this set of rules)");

        var hoursNode = doc["schoolHours"] as JsonObject ?? throw new FormatException("schoolHours: required ({\"days\": [...], \"start\": \"07:00\", \"end\": \"18:00\"})");
        Known(hoursNode, "schoolHours.", "days", "start", "end");
        var days = (hoursNode["days"] as JsonArray ?? throw new FormatException("schoolHours.days: required")).Select((d, i) =>
        {
            var name = d is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            var index = Array.IndexOf(DayNames, name);
            return index >= 0 ? (DayOfWeek)index : throw new FormatException($"schoolHours.days[{i}]: one of {string.Join(", ", DayNames)}");
        }).ToList();
        var start = Time(hoursNode, "schoolHours.start");
        var end = Time(hoursNode, "schoolHours.end");
        if (end <= start) throw new FormatException("schoolHours.end: must be after start");

        var escalate = Whole(doc, "escalateAfterMinutes", "escalateAfterMinutes", 1, 24 * 60) ?? 30;

        var notifyNode = doc["notify"] as JsonObject ?? [];
        Known(notifyNode, "notify.", "webhooks", "email", "escalateEmail");
        var webhooks = List(notifyNode, "webhooks", "notify.webhooks").Select((u, i) =>
            Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : throw new FormatException($"notify.webhooks[{i}]: not an http(s) URL")).ToList();
        List<string> Mails(string name) => List(notifyNode, name, $"notify.{name}").Select((m, i) =>
            System.Net.Mail.MailAddress.TryCreate(m, out _) ? m : throw new FormatException($"notify.{name}[{i}]: '{m}' is not a mail address")).ToList();
        var notify = new AlertNotify(webhooks, Mails("email"), Mails("escalateEmail"));

        var rulesNode = doc["rules"] as JsonArray ?? throw new FormatException("rules: required (a list)");
        var rules = new List<AlertRule>();
        for (var i = 0; i < rulesNode.Count; i++)
        {
            var at = $"rules[{i}]";
            var r = rulesNode[i] as JsonObject ?? throw new FormatException($"{at}: must be an object");
            Known(r, at + ".", "id", "condition", "severity", "minutes", "schoolHoursOnly", "duringLessonOnly", "thresholdGb", "enabled");
            var id = Str(r, "id") ?? throw new FormatException($"{at}.id: required");
            if (id.Length > 48 || id.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')) throw new FormatException($"{at}.id: letters, digits, '-' or '_' (at most 48)");
            if (rules.Any(x => x.Id == id)) throw new FormatException($"{at}.id: '{id}' is used twice");
            var condition = Str(r, "condition") ?? throw new FormatException($"{at}.condition: required");
            if (!AlertConditions.All.Contains(condition)) throw new FormatException($"{at}.condition: one of {string.Join(", ", AlertConditions.All)}");
            var severity = Str(r, "severity") ?? Severities.Warning;
            if (!Severities.All.Contains(severity)) throw new FormatException($"{at}.severity: important or warning");
            var minutes = Whole(r, "minutes", $"{at}.minutes", 0, 24 * 60) ?? 0;
            double? threshold = null;
            if (condition == AlertConditions.DiskLow)
            {
                threshold = r["thresholdGb"] is JsonValue tv && tv.TryGetValue<double>(out var gb) && gb > 0 ? gb : throw new FormatException($"{at}.thresholdGb: a number of GB above 0");
            }
            else if (r["thresholdGb"] is not null) throw new FormatException($"{at}.thresholdGb: only for disk-low");
            rules.Add(new AlertRule(id, condition, severity, minutes, Bool(r, "schoolHoursOnly", at), Bool(r, "duringLessonOnly", at), threshold,
                r["enabled"] is null || Bool(r, "enabled", at)));
        }
        return new AlertRules(version, new SchoolHours(days, start, end), escalate, notify, rules);
    }

    /// <summary>
    /// The document as someone who may not change it sees it: webhook URLs without their credentials and query (a
    /// receiver's token often rides there).
    /// </summary>
    public static string Redacted(string json)
    {
        try
        {
            if (JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) is not JsonObject doc
                || doc["notify"]?["webhooks"] is not JsonArray hooks) return json;
            for (var i = 0; i < hooks.Count; i++)
                if (hooks[i] is JsonValue v && v.TryGetValue<string>(out var s) && Uri.TryCreate(s, UriKind.Absolute, out var u))
                    hooks[i] = $"{u.Scheme}://{u.Authority}{u.AbsolutePath}" + (u.Query.Length > 0 || u.UserInfo.Length > 0 ? " (…)" : "");
            return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }
        catch (JsonException)
        {
            return "(the rules do not read as JSON)";
        }
    }

    private static void Known(JsonObject o, string prefix, params string[] names)
    {
        foreach (var (key, _) in o)
            if (!names.Contains(key)) throw new FormatException($"{prefix}{key}: unknown field (expected {string.Join(", ", names)})");
    }

    private static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static int? Whole(JsonObject o, string name, string at, int min, int max)
    {
        if (o[name] is null) return null;
        return o[name] is JsonValue v && v.TryGetValue<int>(out var n) && n >= min && n <= max ? n : throw new FormatException($"{at}: a whole number {min}-{max}");
    }

    private static bool Bool(JsonObject o, string name, string at) =>
        o[name] is null ? false : o[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw new FormatException($"{at}.{name}: true or false");

    private static TimeOnly Time(JsonObject o, string at)
    {
        var name = at[(at.LastIndexOf('.') + 1)..];
        return Str(o, name) is { } s && TimeOnly.TryParseExact(s, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : throw new FormatException($"{at}: HH:mm");
    }

    private static List<string> List(JsonObject o, string name, string at)
    {
        if (o[name] is null) return [];
        if (o[name] is not JsonArray a) throw new FormatException($"{at}: must be a list");
        return a.Select((x, i) => x is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : throw new FormatException($"{at}[{i}]: must be a string")).ToList();
    }
}
