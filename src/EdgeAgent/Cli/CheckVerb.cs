using System.Text.Json;
using EdgeAgent.Client.Terminal;
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
            TimeProvider.System, NullLogger<ComplianceChecker>.Instance, Paths(options));
        var report = await checker.RunAsync(policy, "check", ct).ConfigureAwait(false);
        if (json) output.WriteLine(JsonSerializer.Serialize(report, ContractJson.Wire.ComplianceReport));
        else ComplianceTable.Write(report, output, color: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
        return report.Verdict switch
        {
            "pass" => ExitCodes.Ok,
            "warn" => ExitCodes.CheckWarn,
            "fail" => ExitCodes.CheckFail,
            _ => ExitCodes.CheckCouldNotRun,
        };
    }

    /// <summary>
    /// Where the network figures of the check are kept for the room's first lessons (their SRT latency and first rung):
    /// the agent's state database, made if this user may; null (nothing kept) where it may not.
    /// </summary>
    private static Media.Link.LinkPaths? Paths(AgentOptions options)
    {
        try
        {
            var db = new StateDatabase(options.StateDirectory, NullLogger<StateDatabase>.Instance);
            db.Migrate();
            return new Media.Link.LinkPaths(db);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            return null;
        }
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
}
