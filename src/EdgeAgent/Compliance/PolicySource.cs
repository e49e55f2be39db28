using EdgeAgent.Configuration;
using EdgeAgent.State;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Compliance;

/// <summary>
/// The policy in force: the one the office pushed last on <c>config/policy</c> (kept in the state database), else
/// <c>compliance.policyFile</c>, else the built-in default. A document that fails validation raises
/// <c>policy-rejected</c> naming the problems, and the policy in force stays.
/// </summary>
public sealed partial class PolicySource : IOfficeDocumentReceiver
{
    private readonly KeptDocument _kept;
    private readonly EventSink? _events;
    private readonly ILogger<PolicySource> _log;

    public PolicySource(AgentOptions options, StateDatabase database, TimeProvider time, ILogger<PolicySource> log, EventSink? events = null)
    {
        _kept = new KeptDocument(database, KeptDocument.Kind.Policy, time);
        _events = events;
        _log = log;
        _options = options;
    }

    private readonly AgentOptions _options;
    private CompliancePolicy? _current;

    /// <summary>Loaded on first use: the state database is migrated by then (constructors run before the host starts).</summary>
    public CompliancePolicy Current
    {
        get
        {
            if (_current is null)
            {
                var current = CompliancePolicy.Default;
                if (_options.Compliance.PolicyFile is { } file)
                {
                    var fromFile = CompliancePolicy.Parse(File.ReadAllText(file), out var errors);
                    if (fromFile is null) Reject($"policy file {file}", errors, current);
                    else current = fromFile;
                }
                string? saved = null;
                try
                {
                    saved = _kept.Read();
                }
                catch (Microsoft.Data.Sqlite.SqliteException)
                {
                    // unreadable (a full disk at start): the file's or the default policy, until the office's arrives
                }
                if (saved is not null && CompliancePolicy.Parse(saved, out _) is { } pushed) current = pushed;
                _current = current;
            }
            return _current;
        }
        private set => _current = value;
    }

    public string Suffix => Contract.Topics.Suffix.ConfigPolicy;

    /// <summary>The office's retained <c>config/policy</c> document.</summary>
    public void Receive(byte[] payload) => Accept(System.Text.Encoding.UTF8.GetString(payload), "config/policy");

    /// <summary>Validates and adopts a policy document; false (with an event) if rejected.</summary>
    public bool Accept(string json, string source)
    {
        var policy = CompliancePolicy.Parse(json, out var errors);
        if (policy is null)
        {
            Reject(source, errors, Current);
            return false;
        }
        try
        {
            _kept.Keep(json);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            // In force now; the broker keeps the retained document, so a restart gets it again.
            LogNotKept(e.Message);
        }
        Current = policy;
        LogAdopted(policy.Id, policy.Version, source, policy.Rules.Count);
        return true;
    }

    private void Reject(string source, List<string> errors, CompliancePolicy inForce)
    {
        var detail = $"policy from {source} rejected, {inForce.Id} {inForce.Version} stays in force: {string.Join("; ", errors.Take(10))}";
        LogRejected(detail);
        _events?.Raise(EventTypes.PolicyRejected, Severity.Warning, null, detail);
    }

    [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "Compliance policy {Id} {Version} from {Source} in force ({Rules} rules)")]
    private partial void LogAdopted(string id, string version, string source, int rules);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Warning, Message = "The compliance policy is in force but not kept in the state database ({Reason})")]
    private partial void LogNotKept(string reason);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Warning, Message = "{Detail}")]
    private partial void LogRejected(string detail);
}
