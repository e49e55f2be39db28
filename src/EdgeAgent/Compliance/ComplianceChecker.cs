using EdgeAgent.Compliance.Probes;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Media.Link;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Compliance;

/// <summary>
/// Runs every probe (in parallel, each with <c>compliance.probeTimeoutSeconds</c>) and judges the measurements by
/// the policy in force for this room's role. A probe that fails or times out makes its metrics unknown with the
/// reason; nothing passes silently.
/// </summary>
public sealed partial class ComplianceChecker(AgentOptions options, IEnumerable<IComplianceProbe> probes, TimeProvider time, ILogger<ComplianceChecker> log,
    LinkPaths? paths = null)
{
    private readonly IReadOnlyList<IComplianceProbe> _probes = probes.ToList();

    public async Task<ComplianceReport> RunAsync(CompliancePolicy policy, string trigger, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(options.Compliance.ProbeTimeoutSeconds);
        var measured = await Task.WhenAll(_probes.Select(p => Measure(p, timeout, ct))).ConfigureAwait(false);
        var byMetric = measured.SelectMany(m => m).GroupBy(m => m.Metric).ToDictionary(g => g.Key, g => g.First());
        RememberPath(byMetric);
        var role = Words.Of(options.Role);
        var results = policy.Rules.Where(r => r.AppliesTo(role)).Select(r => RuleEvaluator.Evaluate(r, role, byMetric.GetValueOrDefault(r.Metric))).ToList();
        var report = new ComplianceReport(ComplianceReport.SchemaId, State.Outbox.NewId(), options.Region, options.School, options.Room, options.Role,
            policy.Id, policy.Version, SchoolTime.Of(time.GetUtcNow()), RuleEvaluator.Overall(results), results.Count(r => r.Verdict == "unknown"), results, trigger);
        LogChecked(trigger, report.Verdict, policy.Id, policy.Version, report.Unknown);
        return report;
    }

    /// <summary>What the network probe measured is the path the next lesson's SRT legs start from (latency, first rung).</summary>
    private void RememberPath(Dictionary<string, Measurement> byMetric)
    {
        double? Of(string metric) => byMetric.GetValueOrDefault(metric) is { IsKnown: true, Number: { } n } ? n : null;
        if (paths is null || (Of("net.rtt") is null && Of("net.up") is null)) return;
        paths.Save(new LinkPath(time.GetUtcNow(), LinkPaths.Compliance, Of("net.rtt"), Of("net.loss"), Of("net.up"), Of("net.down")));
    }

    private async Task<IReadOnlyList<Measurement>> Measure(IComplianceProbe probe, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            return await probe.MeasureAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return probe.Metrics.Select(m => Measurement.Unknown(m, $"the {probe.Name} probe did not finish within {timeout.TotalSeconds:0} s")).ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogProbeFailed(probe.Name, e.Message);
            return probe.Metrics.Select(m => Measurement.Unknown(m, $"the {probe.Name} probe failed: {e.Message}")).ToList();
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Compliance check ({Trigger}): {Verdict} by policy {Policy} {Version} ({Unknown} unknown)")]
    private partial void LogChecked(string trigger, string verdict, string policy, string version, int unknown);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Compliance probe {Probe} failed: {Reason}")]
    private partial void LogProbeFailed(string probe, string reason);
}
