using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Contract.Payloads;

/// <summary>One rule's outcome in a report.</summary>
public sealed record RuleResult(
    string Id, string TitleZh, string TitleEn, string Metric, string? Measured, string Unit, string? Threshold, string Verdict, string Evidence, string Source);

/// <summary>
/// The room against the policy (<c>edgeagent.compliance/1</c>): every applicable rule with the measured value,
/// the threshold applied and a verdict; overall fail if any rule fails, else warn if any warns, else pass
/// (unknown when nothing could be measured); unknowns are counted and shown.
/// </summary>
public sealed record ComplianceReport(
    string Schema, string Id, string Region, string School, string Room, RoomRole Role, string PolicyId, string PolicyVersion,
    DateTimeOffset At, string Verdict, int Unknown, IReadOnlyList<RuleResult> Rules, string Trigger)
{
    public const string SchemaId = "edgeagent.compliance/1";
}

/// <summary>The verdicts of rules and reports.</summary>
public static class Verdicts
{
    public const string Pass = "pass";
    public const string Warn = "warn";
    public const string Fail = "fail";
    public const string Unknown = "unknown";

    public static readonly string[] All = [Pass, Warn, Fail, Unknown];

    /// <summary>The verdict in the words of the technical guide's form (技术装备环境是否达标).</summary>
    public static string Chinese(string verdict) => verdict switch
    {
        Pass => "达标",
        Warn => "基本达标（有警告）",
        Fail => "不达标",
        _ => "无法判断",
    };
}

/// <summary>
/// The compliance policy document (<c>edgeagent.policy/1</c>) as the office writes it: rules with thresholds that are a
/// number, a [low, high] range or a list of words, for both roles or per role. The agent validates it whole before
/// it replaces the policy in force.
/// </summary>
public sealed record PolicyDocument(
    string Schema, string Id, string Version,
    [property: JsonPropertyName("title_zh")] string? TitleZh,
    [property: JsonPropertyName("title_en")] string? TitleEn,
    IReadOnlyList<PolicyRuleDocument> Rules)
{
    public const string SchemaId = "edgeagent.policy/1";
}

public sealed record PolicyRuleDocument(
    string Id,
    [property: JsonPropertyName("title_zh")] string TitleZh,
    [property: JsonPropertyName("title_en")] string TitleEn,
    string Metric, string Unit, string Comparison, JsonElement? Pass, JsonElement? Warn, string Rooms, string Source);
