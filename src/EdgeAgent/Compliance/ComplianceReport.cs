using System.Globalization;

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
