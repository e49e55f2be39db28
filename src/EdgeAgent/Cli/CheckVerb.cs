using System.Text.Json;
using EdgeAgent.Compliance;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Devices;
using EdgeAgent.Lessons;
using EdgeAgent.State;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent check</c>: what an installer runs when the room is handed over. Every probe runs against the real
/// devices and network; the report prints as a table in Chinese and English (verdicts coloured on a terminal),
/// or as JSON. Exit 0 pass, 1 warn, 2 fail, 3 could not run (nothing could be judged).
/// </summary>
public static class CheckVerb
{
    public static async Task<int> RunAsync(string path, bool json, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var options = AgentCli.LoadOrReport(path, error);
        if (options is null) return ExitCodes.Config;
        var policy = LoadPolicy(options, error);
        await using var devices = new DeviceRegistry(options, NullLoggerFactory.Instance, TimeProvider.System);
        var book = BookingSource.FromConfig(options) ?? LessonBook.Empty(options.School);
        var checker = new ComplianceChecker(options, ComplianceProbes.For(options, devices, () => book, TimeProvider.System),
            TimeProvider.System, NullLogger<ComplianceChecker>.Instance);
        var report = await checker.RunAsync(policy, "check", ct).ConfigureAwait(false);
        if (json) output.WriteLine(JsonSerializer.Serialize(report, ContractJson.Wire.ComplianceReport));
        else Print(report, output, color: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
        return report.Verdict switch
        {
            "pass" => ExitCodes.Ok,
            "warn" => ExitCodes.CheckWarn,
            "fail" => ExitCodes.CheckFail,
            _ => ExitCodes.CheckCouldNotRun,
        };
    }

    /// <summary>The office's pushed policy if the agent has one, else the configured file, else the default.</summary>
    private static CompliancePolicy LoadPolicy(AgentOptions options, TextWriter error)
    {
        if (File.Exists(Path.Combine(options.StateDirectory, "state.db")))
        {
            var db = new StateDatabase(options.StateDirectory, NullLogger<StateDatabase>.Instance);
            db.Migrate();
            return new PolicySource(options, db, TimeProvider.System, NullLogger<PolicySource>.Instance).Current;
        }
        if (options.Compliance.PolicyFile is { } file)
        {
            if (CompliancePolicy.Parse(File.ReadAllText(file), out var errors) is { } policy) return policy;
            error.WriteLine($"edgeagent check: policy file {file} rejected, using the default: {string.Join("; ", errors)}");
        }
        return CompliancePolicy.Default;
    }

    private static void Print(ComplianceReport report, TextWriter output, bool color)
    {
        string Paint(string verdict) => !color ? verdict : verdict switch
        {
            "pass" => $"\u001b[32m{verdict}\u001b[0m",
            "warn" => $"\u001b[33m{verdict}\u001b[0m",
            "fail" => $"\u001b[31m{verdict}\u001b[0m",
            _ => $"\u001b[90m{verdict}\u001b[0m",
        };
        output.WriteLine($"技术装备环境检查 / Technical environment check: {report.School}/{report.Room} ({report.Role}), policy {report.PolicyId} {report.PolicyVersion}, {report.At:yyyy-MM-dd HH:mm} UTC");
        output.WriteLine();
        output.WriteLine($"  {"rule",-11} {"规则 / rule",-30} {"measured",-16} {"threshold",-30} verdict");
        foreach (var r in report.Rules)
        {
            var measured = r.Measured is null ? "—" : $"{r.Measured} {r.Unit}";
            output.WriteLine($"  {r.Id,-11} {Fit($"{r.TitleZh} / {r.TitleEn}", 30)} {Fit(measured, 16)} {Fit(r.Threshold ?? "report only", 30)} {Paint(r.Verdict)}");
            output.WriteLine($"  {"",-11} {Fit(r.Evidence, 120).TrimEnd()}");
        }
        output.WriteLine();
        var zh = report.Verdict switch { "pass" => "达标", "warn" => "基本达标（有警告）", "fail" => "不达标", _ => "无法判断" };
        output.WriteLine($"结论 / verdict: {zh} / {Paint(report.Verdict)}  ({report.Unknown} rule(s) unknown)");
    }

    /// <summary>Cut or pad to a terminal width, counting Chinese characters as two columns.</summary>
    private static string Fit(string text, int width)
    {
        var sb = new System.Text.StringBuilder();
        var used = 0;
        foreach (var c in text)
        {
            var w = Wide(c) ? 2 : 1;
            if (used + w > width - 1 && text.Length > sb.Length + 1 && Columns(text) > width)
            {
                sb.Append('…');
                used++;
                break;
            }
            sb.Append(c);
            used += w;
        }
        return sb.Append(' ', Math.Max(0, width - used)).ToString();
    }

    private static int Columns(string text) => text.Sum(c => Wide(c) ? 2 : 1);

    private static bool Wide(char c) =>
        c is >= '\u1100' and <= '\u115F' or >= '\u2E80' and <= '\uA4CF' or >= '\uAC00' and <= '\uD7A3' or >= '\uF900' and <= '\uFAFF'
            or >= '\uFE30' and <= '\uFE4F' or >= '\uFF00' and <= '\uFF60' or >= '\uFFE0' and <= '\uFFE6';
}
