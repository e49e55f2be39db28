using System.Threading.Channels;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Kernel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Lessons;

/// <summary>
/// The room's lessons as a reconcile loop, on <see cref="TimeProvider"/>, in the style of IoT Edge's agent: each pass
/// the <see cref="LessonPlanner"/> compares what the timetable wants with what runs and yields steps (prepare the room
/// <c>lessons.prepareMinutes</c> before the shared window, start at its start, end at its end, turn the display off after
/// the grace, write a <c>missed</c> record for a window that passed), the <see cref="LessonExecutor"/> runs them, and the
/// <see cref="LessonReporter"/> writes down the state after every pass, failed ones too. The pass repeats until nothing
/// is due, then the loop sleeps until the next moment something is. The lesson button and the
/// <c>lesson-start</c>/<c>lesson-stop</c> commands start and stop lessons by hand, on the loop.
/// </summary>
public sealed partial class LessonRunner : BackgroundService
{
    /// <summary>A pass that keeps finding work stops after this many rounds and looks again a second later (a step that cannot succeed must not spin).</summary>
    private const int MaxRoundsPerPass = 20;
    /// <summary>How soon records held in memory (a full disk) are offered to the state database again.</summary>
    internal static readonly TimeSpan HeldRetry = TimeSpan.FromSeconds(5);

    private readonly LessonPlanner _planner;
    private readonly LessonExecutor _executor;
    private readonly LessonReporter _reporter;
    private readonly TimeProvider _time;
    private readonly ILogger<LessonRunner> _log;
    private readonly Channel<Func<Task>> _requests = Channel.CreateUnbounded<Func<Task>>();
    private readonly LoopBeat? _beat;
    private readonly LessonState _state;
    private long _waitingUntilTicks;
    private long _passes;

    public LessonRunner(LessonPlanner planner, LessonExecutor executor, LessonReporter reporter, TimeProvider time, ILogger<LessonRunner> log, MainLoops? loops = null)
    {
        _planner = planner;
        _executor = executor;
        _reporter = reporter;
        _time = time;
        _log = log;
        _state = new LessonState(time.GetUtcNow()) { Wake = () => Post(() => Task.CompletedTask) };
        planner.Bookings.Changed += _ => Post(() =>
        {
            _state.ClashDay = null; // new bookings: their clashes are raised again
            return Task.CompletedTask;
        });
        if (executor.Room.LessonButton is { } button) button.Pressed += () => Post(() => ToggleAsync("button"));
        _beat = loops?.Register("lessons", TimeSpan.FromMinutes(2));
    }

    /// <summary>The lesson running now, if any.</summary>
    public LiveLesson? Current => _state.Live?.Saved;

    /// <summary>A lesson runs and the runner has seen its stream make progress.</summary>
    public bool IsStreaming => _state.Live?.RunningAt is not null;

    public LessonBook Book => _planner.Book;

    /// <summary>Raised after a lesson record is stored and queued.</summary>
    public event Action<LessonRecord>? Recorded
    {
        add => _reporter.Recorded += value;
        remove => _reporter.Recorded -= value;
    }

    /// <summary>For tests on a fake clock: how many times the loop has woken, and until when it sleeps now (null while it works).</summary>
    internal (long Passes, DateTimeOffset? WaitingUntil) LoopState
    {
        get
        {
            var ticks = Interlocked.Read(ref _waitingUntilTicks);
            return (Interlocked.Read(ref _passes), ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero));
        }
    }

    /// <summary>What the room wants of its devices now, as the loop last left it (a quick look; <see cref="IntentOnLoopAsync"/> waits for the loop).</summary>
    public RoomIntent Intent => _state.Intent(_time.GetUtcNow(), _executor.Role);

    /// <summary>What the room wants of its devices, read on the loop: after any lesson step in progress (a lesson ending mutes its microphones itself).</summary>
    public Task<RoomIntent> IntentOnLoopAsync() => Ask(() => Task.FromResult(_state.Intent(_time.GetUtcNow(), _executor.Role)));

    /// <summary>
    /// Sends one device what the room wants of it now (display on the lesson's input, camera to the role's preset,
    /// microphones live), on the loop so that it never fights a lesson step. Null when the room wants nothing of it now
    /// (idle, or the lesson ended meanwhile); else the problem, or none.
    /// </summary>
    public Task<ResendOutcome?> ResendDesiredAsync(string deviceId) => Ask(async () =>
    {
        var intent = _state.Intent(_time.GetUtcNow(), _executor.Role);
        if (intent.Phase == Contract.Vocabulary.LessonPhases.Idle) return null;
        var problem = await _executor.Room.ResendAsync(deviceId, intent, CancellationToken.None).ConfigureAwait(false);
        return problem is null && !_executor.Room.Wants(deviceId, intent).Any ? null : new ResendOutcome(problem);
    });

    /// <summary>What the room wants of one device for <paramref name="intent"/>.</summary>
    public DeviceWants Wants(string deviceId, RoomIntent intent) => _executor.Room.Wants(deviceId, intent);

    /// <summary>
    /// A heal during the live lesson, kept with it for its record (ignored when no lesson is live any more). Stamped on the
    /// lesson's clock: seen <see cref="LiveHeal.SecondsLost"/> ago, healed now, and the rest of the lesson saved.
    /// </summary>
    public void NoteHeal(LiveHeal heal) => Post(() =>
    {
        if (_state.Live is { } live && live.Saved.Id == heal.LessonId)
        {
            var now = _time.GetUtcNow();
            var healed = heal.Outcome == Contract.Vocabulary.HealOutcomes.Healed;
            var end = live.Saved.PlannedEnd;
            var saved = healed && end > now ? Math.Round((end - now).TotalSeconds) : 0;
            var lost = healed ? heal.SecondsLost : Math.Round(((end < now ? end : now) - now.AddSeconds(-heal.SecondsLost)).TotalSeconds, 1);
            var entry = new LessonHeal(heal.Playbook, heal.Trigger, heal.Device, now.AddSeconds(-heal.SecondsLost), healed ? now : null, heal.Attempts, heal.Outcome,
                Math.Max(0, lost), saved);
            live.Saved = live.Saved with { Heals = [.. live.Saved.Heals ?? [], entry] };
            _reporter.SaveLive(live, force: true);
        }
        return Task.CompletedTask;
    });

    public IReadOnlyList<PlannedLesson> Upcoming(int days) => _planner.Upcoming(_time.GetUtcNow(), days);

    /// <summary>Starts the lesson booked around now, or an ad-hoc one; the answer says which (null: its stream could not start, its record says why).</summary>
    public Task<LiveLesson?> StartManualAsync(string by) => Ask(() => StartManualCoreAsync(by));

    /// <summary>Ends the running lesson now; null when none runs.</summary>
    public Task<LessonRecord?> StopManualAsync(string by) => Ask(() => StopManualCoreAsync(by));

    private async Task<LiveLesson?> StartManualCoreAsync(string by)
    {
        if (_state.Live is { } running) throw new InvalidOperationException($"lesson {running.Saved.Id} is already running");
        if (_planner.Open(_time.GetUtcNow(), _reporter.IsRecorded) is { } booked) await _executor.StartAsync(_state, booked, by).ConfigureAwait(false);
        else await _executor.StartAdhocAsync(_state, _planner.AdhocLength, by).ConfigureAwait(false);
        _reporter.Passed(_state);
        // The stream may have failed to start at once: then the lesson is over already, and its record says why.
        return _state.Live?.Saved;
    }

    private async Task<LessonRecord?> StopManualCoreAsync(string by)
    {
        if (_state.Live is null) return null;
        var record = await _executor.EndAsync(_state, $"stopped by {by}").ConfigureAwait(false);
        _reporter.Passed(_state);
        return record;
    }

    /// <summary>The button: runs on the loop, so it calls the loop's own steps (asking the loop from the loop would wait forever).</summary>
    private async Task ToggleAsync(string by)
    {
        try
        {
            if (_state.Live is null) await StartManualCoreAsync(by).ConfigureAwait(false);
            else await StopManualCoreAsync(by).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            LogButton(e.Message);
        }
    }

    private void Post(Func<Task> work) => _requests.Writer.TryWrite(work);

    private Task<T> Ask<T>(Func<Task<T>> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(async () =>
        {
            try
            {
                done.TrySetResult(await work().ConfigureAwait(false));
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        return done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ResumeAsync().ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                _beat?.Beat();
                var wakeAt = await PassAsync().ConfigureAwait(false);
                var wait = wakeAt - _time.GetUtcNow();
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var delay = Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, _time, wake.Token);
                var request = _requests.Reader.WaitToReadAsync(wake.Token).AsTask();
                Interlocked.Exchange(ref _waitingUntilTicks, wakeAt.UtcTicks);
                await Task.WhenAny(delay, request).ConfigureAwait(false);
                Interlocked.Exchange(ref _waitingUntilTicks, 0);
                Interlocked.Increment(ref _passes);
                await wake.CancelAsync().ConfigureAwait(false);
                while (_requests.Reader.TryRead(out var work))
                {
                    try
                    {
                        await work().ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        LogRequestFailed(e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Plan, execute, report until nothing is due; returns when to look again.</summary>
    internal async Task<DateTimeOffset> PassAsync()
    {
        for (var round = 0; round < MaxRoundsPerPass; round++)
        {
            var now = _time.GetUtcNow();
            if (_state.Live is { RunningAt: null, Stream.Running.IsCompletedSuccessfully: true } live) live.RunningAt = now;
            IReadOnlyList<LessonStep> steps;
            DateTimeOffset wakeAt;
            try
            {
                (steps, wakeAt) = _planner.Plan(now, _state, _reporter.IsRecorded);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(e, "planning");
                _reporter.Passed(_state);
                return now.AddSeconds(1);
            }
            foreach (var step in steps)
            {
                try
                {
                    await _executor.RunAsync(step, _state).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One step failing (a full disk, a driver bug) never ends the loop: the planner looks again.
                    LogPassFailed(e, step.GetType().Name);
                }
            }
            _reporter.Passed(_state);
            // Records held for a full disk are tried again soon, whatever the timetable says.
            if (steps.Count == 0) return _reporter.Pending > 0 && wakeAt > now + HeldRetry ? now + HeldRetry : wakeAt;
        }
        return _time.GetUtcNow().AddSeconds(1);
    }

    private async Task ResumeAsync()
    {
        LiveLesson? saved;
        try
        {
            saved = _planner.SavedLive();
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            LogPassFailed(e, "reading the live lesson");
            return;
        }
        if (saved is not null) await _executor.ResumeAsync(_state, saved).ConfigureAwait(false);
        _reporter.QueueUnsent();
        _reporter.Passed(_state);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // An agent stopping mid-lesson leaves the lesson live in the state database: the next start resumes it.
        if (_state.Live is { } live)
        {
            _reporter.SaveLive(live, force: true);
            LogStoppingDuringLesson(live.Saved.Id);
        }
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Lesson button: {Reason}")]
    private partial void LogButton(string reason);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Error, Message = "Lesson request failed")]
    private partial void LogRequestFailed(Exception e);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Error, Message = "Lesson loop: {Step} failed; the loop goes on")]
    private partial void LogPassFailed(Exception e, string step);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Information, Message = "Agent stopping during lesson {Lesson}; it resumes at the next start")]
    private partial void LogStoppingDuringLesson(string lesson);
}

/// <summary>What re-sending a device its desired state did: <see cref="Problem"/> null when it went through.</summary>
public sealed record ResendOutcome(DeviceProblem? Problem);

/// <summary>A heal (or a playbook that gave up) during the live lesson <see cref="LessonId"/>, seen <see cref="SecondsLost"/> ago.</summary>
public sealed record LiveHeal(string LessonId, string Playbook, string Trigger, string Device, int Attempts, string Outcome, double SecondsLost);
