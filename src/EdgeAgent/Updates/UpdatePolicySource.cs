using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using EdgeAgent.State;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Updates;

/// <summary>
/// The office's rollout policy in force: its last retained <c>config/update</c>, kept in the state database so that a
/// restart (the new agent after an install) has it before the broker hands it again. A document that fails validation
/// raises <c>update-policy-rejected</c> naming every problem, and the policy in force stays.
/// </summary>
public sealed partial class UpdatePolicySource : IOfficeDocumentReceiver
{
    private readonly KeptDocument _kept;
    private readonly EventSink _events;
    private readonly ILogger<UpdatePolicySource> _log;
    private UpdatePolicy? _current;
    private bool _loaded;

    public UpdatePolicySource(StateDatabase database, EventSink events, TimeProvider time, ILogger<UpdatePolicySource> log)
    {
        _kept = new KeptDocument(database, KeptDocument.Kind.UpdatePolicy, time);
        _events = events;
        _log = log;
    }

    /// <summary>Raised when a new policy is in force.</summary>
    public event Action? Changed;

    /// <summary>The policy in force, or null when the office has sent none (loaded on first use: the database is migrated by then).</summary>
    public UpdatePolicy? Current
    {
        get
        {
            if (!_loaded)
            {
                try
                {
                    if (_kept.Read() is { } saved) _current = UpdatePolicy.Parse(saved, out _);
                }
                catch (Microsoft.Data.Sqlite.SqliteException)
                {
                    // unreadable (a full disk at start): none until the office's arrives again
                }
                _loaded = true;
            }
            return _current;
        }
    }

    public string Suffix => Contract.Topics.Suffix.ConfigUpdate;

    public void Receive(byte[] payload) => Accept(System.Text.Encoding.UTF8.GetString(payload));

    /// <summary>Validates and adopts a policy; false (with an event naming every problem) if rejected.</summary>
    public bool Accept(string json)
    {
        var policy = UpdatePolicy.Parse(json, out var errors);
        if (policy is null)
        {
            var detail = $"update policy from config/update rejected, {(Current is { } c ? $"{c.Id} stays in force" : "none in force")}: {string.Join("; ", errors.Take(20))}";
            LogRejected(detail);
            _events.Raise(EventTypes.UpdatePolicyRejected, Severity.Warning, null, detail);
            return false;
        }
        try
        {
            _kept.Keep(json);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            LogNotKept(e.Message);
        }
        _current = policy;
        _loaded = true;
        LogAdopted(policy.Id, policy.Rings.Count, policy.WindowText);
        Changed?.Invoke();
        return true;
    }

    [LoggerMessage(EventId = 10001, Level = LogLevel.Information, Message = "Update policy {Id} in force ({Rings} rings, window {Window})")]
    private partial void LogAdopted(string id, int rings, string window);

    [LoggerMessage(EventId = 10002, Level = LogLevel.Warning, Message = "{Detail}")]
    private partial void LogRejected(string detail);

    [LoggerMessage(EventId = 10003, Level = LogLevel.Warning, Message = "The update policy is in force but not kept in the state database ({Reason})")]
    private partial void LogNotKept(string reason);
}
