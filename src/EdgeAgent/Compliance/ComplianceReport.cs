using System.Globalization;
using System.Text.Json.Serialization;

namespace EdgeAgent.Compliance;

/// <summary>What a probe found for one metric: a number or a word, with the evidence; or why it could not measure.</summary>
public sealed record Measurement(string Metric, double? Number, string? Word, string Evidence, string? UnknownReason = null)
{
    public static Measurement Of(string metric, double value, string evidence) => new(metric, value, null, evidence);
    public static Measurement Of(string metric, string value, string evidence) => new(metric, null, value, evidence);
    public static Measurement Unknown(string metric, string reason) => new(metric, null, null, "", reason);

    public bool IsKnown => UnknownReason is null && (Number is not null || Word is not null);

    public string Display => Number is { } n ? Math.Round(n, 2).ToString(CultureInfo.InvariantCulture) : Word ?? "";
}

/// <summary>One rule's outcome in a report.</summary>
public sealed record RuleResult(
    string Id, string TitleZh, string TitleEn, string Metric, string? Measured, string Unit, string? Threshold, string Verdict, string Evidence, string Source);

/// <summary>
/// The room against the policy (<c>edgeagent.compliance/1</c>): every applicable rule with the measured value,
/// the threshold applied and a verdict; overall fail if any rule fails, else warn if any warns, else pass
/// (unknown when nothing could be measured); unknowns are counted and shown.
/// </summary>
public sealed record ComplianceReport(
    string Schema, string Id, string Region, string School, string Room, string Role, string PolicyId, string PolicyVersion,
    DateTimeOffset At, string Verdict, int Unknown, IReadOnlyList<RuleResult> Rules, string Trigger)
{
    public const string SchemaId = "edgeagent.compliance/1";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ComplianceReport))]
internal sealed partial class ComplianceJson : JsonSerializerContext;
