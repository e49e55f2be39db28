using EdgeAgent.Contract.Payloads;

namespace EdgeAgent.Compliance;

/// <summary>Turns a measurement into a verdict by the rule's comparison and thresholds for the room's role.</summary>
public static class RuleEvaluator
{
    public static RuleResult Evaluate(PolicyRule rule, string role, Measurement? m)
    {
        var pass = rule.Pass?.GetValueOrDefault(role);
        var warn = rule.Warn?.GetValueOrDefault(role);
        var threshold = rule.Comparison switch
        {
            "min" => $"≥ {pass}" + (warn is null ? "" : $" (warn ≥ {warn})"),
            "max" => $"≤ {pass}" + (warn is null ? "" : $" (warn ≤ {warn})"),
            "range" => $"{pass}" + (warn is null ? "" : $" (warn {warn})"),
            "oneOf" => $"{pass}" + (warn is null ? "" : $" (warn {warn})"),
            _ => null,
        };
        string verdict;
        string evidence;
        if (m is null || !m.IsKnown)
        {
            verdict = "unknown";
            evidence = m?.UnknownReason ?? "no probe measured this metric";
        }
        else if (rule.Comparison == "report")
        {
            // Report-only: shown, never judged.
            verdict = "unknown";
            evidence = $"report only: {m.Evidence}";
        }
        else
        {
            verdict = Judge(rule.Comparison, pass!, warn, m);
            evidence = m.Evidence;
        }
        return new RuleResult(rule.Id, rule.TitleZh, rule.TitleEn, rule.Metric, m?.IsKnown == true ? m.Display : null, rule.Unit, threshold, verdict, evidence, rule.Source);
    }

    private static string Judge(string comparison, Threshold pass, Threshold? warn, Measurement m)
    {
        bool Meets(Threshold t) => comparison switch
        {
            "min" => m.Number >= t.Number,
            "max" => m.Number <= t.Number,
            "range" => m.Number >= t.Low && m.Number <= t.High,
            _ => m.Word is not null && t.Values!.Contains(m.Word),
        };
        if (Meets(pass)) return "pass";
        if (warn is not null && Meets(warn)) return "warn";
        return "fail";
    }

    /// <summary>fail if any rule fails, else warn if any warns, else pass; unknown when no rule could be judged.</summary>
    public static string Overall(IReadOnlyList<RuleResult> results)
    {
        if (results.Any(r => r.Verdict == "fail")) return "fail";
        if (results.Any(r => r.Verdict == "warn")) return "warn";
        return results.Any(r => r.Verdict == "pass") ? "pass" : "unknown";
    }
}
