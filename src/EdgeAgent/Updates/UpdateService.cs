using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Devices;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Kernel;
using EdgeAgent.Lessons;
using EdgeAgent.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Updates;

/// <summary>
/// The agent's half of a remote update. The agent stays unprivileged: it only decides and asks. Every few seconds it
/// judges the office's policy for this room (<see cref="Rollout"/>); when the install is allowed it waits a random part
/// of the policy's spread, then leaves a request for the root updater (<c>edgeagent-update.path</c> starts
/// <c>edgeagent-update.service</c>), and takes it back if a lesson comes first. It writes the ready mark the updater's
/// health gate reads (its version and the devices online) when it is ready and whenever the devices change; at start it
/// reports what the updater last did (<c>update-installed</c> / <c>update-failed</c>). Its status is retained on
/// <c>update</c> whenever it changes.
/// </summary>
public sealed partial class UpdateService : BackgroundService
{
    public static readonly TimeSpan Look = TimeSpan.FromSeconds(5);
    private readonly AgentOptions _options;
    private readonly UpdatePolicySource _policy;
    private readonly LessonRunner _runner;
    private readonly DeviceHealthPoller _devices;
    private readonly Outbox _outbox;
    private readonly RoomTopics _topics;
    private readonly EventSink _events;
    private readonly TimeProvider _time;
    private readonly ILogger<UpdateService> _log;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly string _current;
    private UpdateResult? _last;
    private DateTimeOffset? _askAt;
    private string? _askedFor;
    private DateTimeOffset? _takenAt;

    /// <summary>
    /// How long the agent waits for the updater's result after it took the request (it installs, waits for the new
    /// agent, perhaps rolls back; the agent is normally stopped meanwhile) before it asks again: an updater that died
    /// without a word.
    /// </summary>
    public static readonly TimeSpan TakenPatience = TimeSpan.FromMinutes(30);
    private UpdateStatus? _published;

    public UpdateService(AgentOptions options, UpdatePolicySource policy, LessonRunner runner, DeviceHealthPoller devices, Outbox outbox, RoomTopics topics,
        EventSink events, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<UpdateService> log, string? currentVersion = null)
    {
        _options = options;
        _policy = policy;
        _runner = runner;
        _devices = devices;
        _outbox = outbox;
        _topics = topics;
        _events = events;
        _time = time;
        _log = log;
        _current = currentVersion ?? AgentVersion.Current;
        Directory = options.Update.Directory ?? Path.Combine(options.StateDirectory, "update");
        policy.Changed += () => _wake.Release();
        lifetime.ApplicationStarted.Register(WriteReady);
        devices.HealthChanged += (_, _) => WriteReady();
    }

    /// <summary>Where the request and the ready mark go (the agent's; the updater reads them).</summary>
    public string Directory { get; }

    /// <summary>The status last published (null before the first pass).</summary>
    public UpdateStatus? Status => Volatile.Read(ref _published);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNoDirectory(Directory, e.Message);
        }
        while (!stop.IsCancellationRequested)
        {
            try
            {
                Pass();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
            {
                LogPassFailed(e.Message);
            }
            if (stop.IsCancellationRequested) return;
            using var pass = CancellationTokenSource.CreateLinkedTokenSource(stop);
            await Task.WhenAny(_wake.WaitAsync(pass.Token), Task.Delay(Look, _time, pass.Token)).ConfigureAwait(false);
            await pass.CancelAsync().ConfigureAwait(false); // the wait that lost leaves no waiter behind
        }
    }

    /// <summary>One judgement: the step now, the request left or taken back, the status published when it changed.</summary>
    internal void Pass()
    {
        ReportResult(); // the updater's result: after an install the new agent sees it at start; a refusal while this one runs
        var now = _time.GetUtcNow();
        var policy = _policy.Current;
        var next = _runner.Upcoming(2).Where(l => l.End > now).Select(l => (DateTimeOffset?)l.PrepareAt).Min();
        var step = Rollout.Decide(policy, _options.Address, _options.Update.Ring, _current, _last, now, _runner.Intent.Phase, next);
        var request = Path.Combine(Directory, UpdateFiles.Request);
        if (!step.Go)
        {
            _askAt = null;
            _takenAt = null;
            if (File.Exists(request))
            {
                // Not taken yet: a lesson (or the office, or the updater's result) came first. Also a request an earlier
                // run of the agent left behind (it was stopped before it could take it back).
                File.Delete(request);
                LogWithdrawn(_askedFor ?? "an earlier request", step.Detail);
            }
            _askedFor = null;
            Publish(step.State, step.Ring, step.Target, step.Detail);
            return;
        }
        if (_askedFor == step.Target)
        {
            if (File.Exists(request))
            {
                Publish(UpdateStates.Requested, step.Ring, step.Target, $"asked the updater for {step.Target}");
                return;
            }
            // The updater took it: it is installing (and will stop this agent). Asking again now would make it install twice.
            _takenAt ??= now;
            if (now - _takenAt < TakenPatience)
            {
                Publish(UpdateStates.Requested, step.Ring, step.Target, $"the updater took the request for {step.Target} at {SchoolTime.Minutes(_takenAt.Value)}");
                return;
            }
            _takenAt = null; // no result in all that time: ask again
        }
        if (_askAt is null)
        {
            // The spread: a county's boxes do not restart at one minute.
            _askAt = now + TimeSpan.FromSeconds(Random.Shared.NextDouble() * policy!.Spread.TotalSeconds);
        }
        if (now < _askAt)
        {
            Publish(UpdateStates.Waiting, step.Ring, step.Target, $"{_current} → {step.Target}: asks at {SchoolTime.Minutes(_askAt.Value)} (spread across the window)");
            return;
        }
        UpdateFiles.WriteRequest(Directory, step.Target!, policy!.HealthLimit);
        _askedFor = step.Target;
        LogRequested(_current, step.Target!, step.Ring!);
        Publish(UpdateStates.Requested, step.Ring, step.Target, $"asked the updater for {step.Target}");
    }

    private void Publish(string state, string? ring, string? target, string detail)
    {
        var before = Status;
        if (before is not null && before.State == state && before.Target == target && before.Ring == ring && before.Detail == detail && before.Last == _last) return;
        var status = new UpdateStatus(UpdateStatus.SchemaId, _current, target, ring, state, Redaction.Text(detail), _last, SchoolTime.Seconds(_time.GetUtcNow()));
        _outbox.Enqueue(OutboxKind.Update, _topics.Update, Outbox.NewId(), JsonSerializer.SerializeToUtf8Bytes(status, ContractJson.Wire.UpdateStatus), retain: true);
        Volatile.Write(ref _published, status);
    }

    /// <summary>What the updater last did, told once (a mark beside the request remembers which result was told).</summary>
    private void ReportResult()
    {
        var result = UpdateFiles.ReadResult(_options.Update.ResultFile);
        if (result is null || result == _last) return;
        _last = result;
        var seen = Path.Combine(Directory, "result-told");
        try
        {
            if (File.Exists(seen) && File.ReadAllText(seen).Trim() == _last.At) return;
            if (_last.Outcome == UpdateOutcomes.Installed)
                _events.Raise(EventTypes.UpdateInstalled, Severity.Info, null, $"updated from {_last.Previous} to {_last.Version}; the new agent was healthy in time");
            else
                _events.Raise(EventTypes.UpdateFailed, Severity.Error, null,
                    $"update to {_last.Version} {_last.Outcome}{(_last.Outcome == UpdateOutcomes.RolledBack ? $" to {_last.Previous}" : "")}: {_last.Reason}");
            File.WriteAllText(seen, _last.At);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogPassFailed(e.Message);
        }
    }

    /// <summary>The ready mark: this agent's version and its devices online now.</summary>
    private void WriteReady()
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var online = _devices.Snapshot.Where(h => h.State is DeviceState.Online or DeviceState.Degraded).Select(h => h.DeviceId);
            UpdateFiles.WriteReady(Directory, _current, online);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogPassFailed(e.Message); // a full disk: the updater's gate waits, and rolls back if it must
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 10010, Level = LogLevel.Information, Message = "Asked the updater to go from {Current} to {Target} (ring {Ring})")]
    private partial void LogRequested(string current, string target, string ring);

    [LoggerMessage(EventId = 10011, Level = LogLevel.Information, Message = "Update request for {Target} taken back: {Why}")]
    private partial void LogWithdrawn(string target, string why);

    [LoggerMessage(EventId = 10012, Level = LogLevel.Warning, Message = "Update pass failed: {Reason}")]
    private partial void LogPassFailed(string reason);

    [LoggerMessage(EventId = 10013, Level = LogLevel.Warning, Message = "The update directory {Directory} cannot be made: {Reason}")]
    private partial void LogNoDirectory(string directory, string reason);
}
