using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Compliance;

/// <summary>A threshold for one room role: a number, a [low, high] range, or a set of accepted values.</summary>
public sealed record Threshold(double? Number, double? Low, double? High, IReadOnlySet<string>? Values)
{
    public override string ToString() =>
        Number is { } n ? n.ToString(CultureInfo.InvariantCulture)
        : Low is { } lo ? $"{lo.ToString(CultureInfo.InvariantCulture)}…{High!.Value.ToString(CultureInfo.InvariantCulture)}"
        : string.Join("/", Values ?? new HashSet<string>());
}

/// <summary>One rule of the policy: what is measured, how it is compared, the pass and warn thresholds per role.</summary>
public sealed record PolicyRule(
    string Id, string TitleZh, string TitleEn, string Metric, string Unit, string Comparison,
    IReadOnlyDictionary<string, Threshold>? Pass, IReadOnlyDictionary<string, Threshold>? Warn,
    string Rooms, string Source)
{
    public bool AppliesTo(string role) => Rooms == "both" || Rooms == role;
}

/// <summary>
/// The compliance policy: data, never code (<c>schemas/edgeagent.policy.v1.json</c>). The default ships inside
/// the agent (<c>Compliance/default-policy.json</c>, from the tech guide with the source of every rule); the office
/// can replace it with a file named in the config or a retained <c>config/policy</c> message. <see cref="Parse"/>
/// checks everything and lists every problem; a rejected policy never replaces the one in force.
/// </summary>
public sealed class CompliancePolicy
{
    public const string SchemaId = PolicyDocument.SchemaId;
    /// <summary>The room roles as a policy names them (its thresholds are keyed by these words).</summary>
    public static readonly IReadOnlyList<string> Roles = Words.All<RoomRole>();

    /// <summary>The metrics the probes measure, and whether each is a number or a word.</summary>
    public static readonly IReadOnlyDictionary<string, bool> Metrics = new Dictionary<string, bool>
    {
        ["cameras.online"] = true, ["video.height"] = true, ["video.fps"] = true, ["encoder.codec"] = false,
        ["net.up"] = true, ["net.down"] = true, ["net.delay"] = true, ["net.rtt"] = true, ["net.jitter"] = true, ["net.loss"] = true,
        ["microphones.online"] = true, ["audio.level"] = true, ["audio.aec"] = false, ["display.status"] = false,
        ["recording.days"] = true, ["clock.offset"] = true, ["recording.avsync"] = true,
    };

    private CompliancePolicy(string id, string version, IReadOnlyList<PolicyRule> rules, string json)
    {
        Id = id;
        Version = version;
        Rules = rules;
        Json = json;
    }

    public string Id { get; }
    public string Version { get; }
    public IReadOnlyList<PolicyRule> Rules { get; }
    /// <summary>The document as received (stored so that a restart keeps the office's policy).</summary>
    public string Json { get; }

    public static CompliancePolicy Default { get; } = LoadDefault();

    private static CompliancePolicy LoadDefault()
    {
        using var stream = typeof(CompliancePolicy).Assembly.GetManifestResourceStream("EdgeAgent.Compliance.default-policy.json")
            ?? throw new InvalidOperationException("the default policy is not embedded");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), out var errors) ?? throw new InvalidOperationException("the default policy is invalid: " + string.Join("; ", errors));
    }

    public static CompliancePolicy? Parse(string json, out List<string> errors)
    {
        errors = [];
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new JsonException("the policy is not a JSON object");
        }
        catch (JsonException e)
        {
            errors.Add($"not a policy document: {e.Message}");
            return null;
        }
        var problems = errors;
        void Fail(string path, string message) => problems.Add($"{path}: {message}");
        string? Str(JsonObject o, string key, string path, bool required = true)
        {
            if (o[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0) return s;
            if (required || o[key] is not null) Fail($"{path}.{key}", o[key] is null ? "is required" : "must be a non-empty string");
            return null;
        }

        Unknown(root, "policy", ["schema", "id", "version", "title_zh", "title_en", "rules"], Fail);
        if (Str(root, "schema", "policy") is { } schema && schema != SchemaId) Fail("policy.schema", $"must be \"{SchemaId}\"");
        var id = Str(root, "id", "policy") ?? "";
        var version = Str(root, "version", "policy") ?? "";
        Str(root, "title_zh", "policy", required: false);
        Str(root, "title_en", "policy", required: false);
        var rules = new List<PolicyRule>();
        if (root["rules"] is not JsonArray array || array.Count == 0)
        {
            Fail("policy.rules", "needs at least one rule");
            return null;
        }
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"rules[{i}]";
            if (array[i] is not JsonObject r)
            {
                Fail(path, "must be an object");
                continue;
            }
            var ruleId = Str(r, "id", path) ?? "";
            if (ruleId.Length > 0) path = $"rules[{i}] ({ruleId})";
            Unknown(r, path, ["id", "title_zh", "title_en", "metric", "unit", "comparison", "pass", "warn", "rooms", "source"], Fail);
            if (rules.Any(x => x.Id == ruleId)) Fail($"{path}.id", $"'{ruleId}' appears twice");
            var titleZh = Str(r, "title_zh", path) ?? "";
            var titleEn = Str(r, "title_en", path) ?? "";
            var metric = Str(r, "metric", path) ?? "";
            if (metric.Length > 0 && !Metrics.ContainsKey(metric)) Fail($"{path}.metric", $"'{metric}' is not a metric the agent measures ({string.Join(", ", Metrics.Keys)})");
            var unit = Str(r, "unit", path) ?? "";
            var comparison = Str(r, "comparison", path) ?? "";
            var rooms = Str(r, "rooms", path) ?? "both";
            if (rooms is not ("both" or "main" or "receiving")) Fail($"{path}.rooms", $"'{rooms}' is not main, receiving or both");
            var source = Str(r, "source", path) ?? "";
            var numeric = Metrics.GetValueOrDefault(metric, true);

            IReadOnlyDictionary<string, Threshold>? pass = null, warn = null;
            switch (comparison)
            {
                case "min" or "max" or "range" or "oneOf":
                    if (comparison == "oneOf" && numeric && Metrics.ContainsKey(metric)) Fail($"{path}.comparison", $"'{metric}' is a number: use min, max or range");
                    if (comparison != "oneOf" && !numeric) Fail($"{path}.comparison", $"'{metric}' is a word: use oneOf");
                    pass = Thresholds(r["pass"], comparison, $"{path}.pass", Fail, required: true);
                    warn = Thresholds(r["warn"], comparison, $"{path}.warn", Fail, required: false);
                    if (pass is not null && warn is not null) CheckSides(comparison, pass, warn, path, Fail);
                    break;
                case "report":
                    if (r["pass"] is not null || r["warn"] is not null) Fail(path, "a report-only rule has no thresholds");
                    break;
                case "":
                    break;
                default:
                    Fail($"{path}.comparison", $"'{comparison}' is not min, max, range, oneOf or report");
                    break;
            }
            rules.Add(new PolicyRule(ruleId, titleZh, titleEn, metric, unit, comparison, pass, warn, rooms, source));
        }
        return errors.Count == 0 ? new CompliancePolicy(id, version, rules, json) : null;
    }

    private static void Unknown(JsonObject o, string path, string[] known, Action<string, string> fail)
    {
        foreach (var (key, _) in o)
            if (!known.Contains(key)) fail($"{path}.{key}", "unknown key");
    }

    /// <summary>A threshold for both roles, or an object with one per role (a warn threshold may leave a role out: no warn level there).</summary>
    private static Dictionary<string, Threshold>? Thresholds(JsonNode? node, string comparison, string path, Action<string, string> fail, bool required)
    {
        if (node is null)
        {
            if (required) fail(path, "is required");
            return null;
        }
        var byRole = new Dictionary<string, Threshold>();
        if (node is JsonObject o)
        {
            foreach (var role in Roles)
            {
                if (o[role] is null)
                {
                    if (required) fail($"{path}.{role}", "is required when pass thresholds are given per role");
                }
                else if (One(o[role], comparison, $"{path}.{role}", fail) is { } t) byRole[role] = t;
            }
            foreach (var (key, _) in o)
                if (!Roles.Contains(key)) fail($"{path}.{key}", "is not a room role");
        }
        else if (One(node, comparison, path, fail) is { } t)
        {
            foreach (var role in Roles) byRole[role] = t;
        }
        return byRole.Count == Roles.Count || !required && byRole.Count > 0 ? byRole : null;
    }

    private static Threshold? One(JsonNode? node, string comparison, string path, Action<string, string> fail)
    {
        switch (comparison)
        {
            case "min" or "max":
                if (node is JsonValue v && v.TryGetValue<double>(out var n) && double.IsFinite(n)) return new Threshold(n, null, null, null);
                fail(path, "must be a number");
                return null;
            case "range":
                if (node is JsonArray { Count: 2 } a && a[0] is JsonValue l && l.TryGetValue<double>(out var lo) && a[1] is JsonValue h && h.TryGetValue<double>(out var hi) && lo <= hi)
                    return new Threshold(null, lo, hi, null);
                fail(path, "must be [low, high] with low ≤ high");
                return null;
            default:
                if (node is JsonArray { Count: > 0 } set && set.All(x => x is JsonValue xv && xv.TryGetValue<string>(out _)))
                    return new Threshold(null, null, null, set.Select(x => x!.GetValue<string>()).ToHashSet(StringComparer.Ordinal));
                fail(path, "must be a non-empty list of words");
                return null;
        }
    }

    /// <summary>The warn threshold must be more lenient than pass: lower for min, higher for max, wider for a range.</summary>
    private static void CheckSides(string comparison, IReadOnlyDictionary<string, Threshold> pass, IReadOnlyDictionary<string, Threshold> warn, string path, Action<string, string> fail)
    {
        foreach (var role in Roles.Where(warn.ContainsKey))
        {
            var p = pass[role];
            var w = warn[role];
            var ok = comparison switch
            {
                "min" => w.Number <= p.Number,
                "max" => w.Number >= p.Number,
                "range" => w.Low <= p.Low && w.High >= p.High,
                _ => !w.Values!.Overlaps(p.Values!),
            };
            if (!ok)
                fail($"{path}.warn", comparison switch
                {
                    "min" => $"warn {w} is above pass {p} for {role}: with min, warn must be ≤ pass",
                    "max" => $"warn {w} is below pass {p} for {role}: with max, warn must be ≥ pass",
                    "range" => $"warn {w} does not contain pass {p} for {role}",
                    _ => $"warn and pass share values for {role}",
                });
        }
    }
}
