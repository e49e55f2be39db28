using EdgeAgent.Compliance;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Devices;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Lessons;
using EdgeAgent.Media;
using EdgeAgent.Media.Play;
using EdgeAgent.Media.Send;
using EdgeAgent.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Healing;

/// <summary>
/// Runs the playbooks. After every health poll it compares what the device reported with what the lesson runner wants
/// of it (<see cref="RoomIntent"/>, <see cref="DeviceWants"/>) and, where a playbook's trigger holds and its conditions
/// allow, runs the playbook's actions in order, one playbook at a time per device. Everything that changes what the room
/// should be goes through the lesson loop (<see cref="LessonRunner.ResendDesiredAsync"/>): the playbooks never fight the
/// lesson's own steps (a lesson that ends mutes its microphones, and nothing unmutes them). After the actions the device is
/// polled again: the trigger gone is a heal, still there is a failed attempt; every attempt is an event (<c>heal</c>), an
/// exhausted playbook raises <c>heal-failed</c> naming what was tried, and heals during a lesson go into its record.
/// </summary>
public sealed partial class Healer : IHostedService, IDisposable
{
    private static readonly TimeSpan BootPoll = TimeSpan.FromSeconds(1);
    /// <summary>How long a restarted or switched stream gets to send again.</summary>
    private static readonly TimeSpan StreamBack = TimeSpan.FromSeconds(20);
    private const int RecentKept = 20;
    private readonly PlaybookSource _source;
    private readonly DeviceRegistry _devices;
    private readonly DeviceHealthPoller _poller;
    private readonly LessonRunner _runner;
    private readonly StreamService _streams;
    private readonly PlaybackService? _playback;
    private readonly ComplianceStore? _compliance;
    private readonly EventSink _events;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Healer> _log;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<DateTimeOffset>> _attempts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _restUntil = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly LinkedList<HealSummary> _recent = new();
    /// <summary>Since when each trigger on the room without a clock of its own has held (the disk, the clock, the uplink, the partner).</summary>
    private readonly Dictionary<string, DateTimeOffset> _roomSince = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private int _sleeping;
    private bool _started;
    private ITimer? _roomTick;
    /// <summary>A name for the room's stream where a device id would go (keys, <see cref="HealSummary.Device"/>).</summary>
    public const string Stream = "stream";

    /// <summary>What a trigger on the room works on, named where a device id would go: one heal at a time on each.</summary>
    public static string SubjectOf(string trigger) => trigger switch
    {
        HealTriggers.StreamDown or HealTriggers.UplinkLost => Stream,
        HealTriggers.PlayerStalled or HealTriggers.PartnerMissing => "player",
        HealTriggers.DiskLow => "disk",
        HealTriggers.ClockUnsynced => "clock",
        _ => trigger,
    };

    public Healer(PlaybookSource source, DeviceRegistry devices, DeviceHealthPoller poller, LessonRunner runner, StreamService streams, EventSink events,
        AgentOptions options, TimeProvider time, ILogger<Healer> log, PlaybackService? playback = null, ComplianceStore? compliance = null)
    {
        _streams = streams;
        _playback = playback;
        _compliance = compliance;
        _source = source;
        _devices = devices;
        _poller = poller;
        _runner = runner;
        _events = events;
        _options = options;
        _time = time;
        _log = log;
    }

    /// <summary>For tests on a fake clock: heals in progress, and how many of them wait on the clock now.</summary>
    internal (int Running, int Sleeping) Activity
    {
        get
        {
            lock (_gate) return (_running.Count, Volatile.Read(ref _sleeping));
        }
    }

    /// <summary>The latest heals and failed heals, newest first (<c>ctl status</c>, the health document).</summary>
    public IReadOnlyList<HealSummary> Recent
    {
        get
        {
            lock (_gate) return _recent.ToList();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Playbooks.Enabled) return Task.CompletedTask;
        _ = _source.Current; // a bad playbooks file is reported at start, not at the first fault
        _poller.Polled += OnPolled;
        // Triggers on the room (the stream) are looked at every second.
        _roomTick = _time.CreateTimer(_ => OnRoomTick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _started = true;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_started) _poller.Polled -= OnPolled;
        _roomTick?.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_gate) running = [.. _running.Values];
        try
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnPolled(DeviceHealth health)
    {
        if (_stop.IsCancellationRequested || _devices.Find(health.DeviceId) is not { } device) return;
        var intent = _runner.Intent;
        var now = _time.GetUtcNow();
        foreach (var book in _source.Current.Playbooks)
        {
            if (!book.Concerns(device.Id, device.Options.Kind) || !book.Allows(intent.Phase, intent.Role, SchoolClock(now))) continue;
            if (!Holds(book.Trigger, device, health, intent)) continue;
            if (Begin(book, new Subject(device.Id, device), health.Detail, now)) return;
        }
    }

    private void OnRoomTick()
    {
        if (_stop.IsCancellationRequested) return;
        try
        {
            var intent = _runner.Intent;
            var now = _time.GetUtcNow();
            var seen = new Dictionary<string, (string Detail, double Seconds)?>(StringComparer.Ordinal);
            foreach (var book in _source.Current.Playbooks.Where(b => b.OnRoom))
            {
                // Each trigger looked at once a tick, whether a playbook may run now or not: its "since" stays true.
                if (!seen.TryGetValue(book.Trigger, out var state)) seen[book.Trigger] = state = RoomState(book.Trigger, intent);
                if (state is not { } holds || holds.Seconds < book.HoldFor.TotalSeconds) continue;
                if (!book.Allows(intent.Phase, intent.Role, SchoolClock(now))) continue;
                Begin(book, new Subject(SubjectOf(book.Trigger), null), holds.Detail, now);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogHealBroke(e, "room", Stream);
        }
    }

    /// <summary>Starts healing a subject unless one of its playbooks is at work on it already or this one rests; true when one is at work now.</summary>
    private bool Begin(Playbook book, Subject subject, string detail, DateTimeOffset now)
    {
        lock (_gate)
        {
            // One playbook at a time on a device: a power cycle darkens a display, and that is no new fault.
            if (_running.ContainsKey(subject.Id)) return true;
            if (_restUntil.TryGetValue(Key(book, subject), out var rest) && now < rest) return false;
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _running[subject.Id] = Task.Run(async () =>
            {
                await gate.Task.ConfigureAwait(false);
                try
                {
                    await HealAsync(book, subject, detail, now, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    LogHealBroke(e, book.Id, subject.Id);
                }
                finally
                {
                    lock (_gate) _running.Remove(subject.Id);
                }
            });
            gate.SetResult();
            return true;
        }
    }

    /// <summary>
    /// Whether a trigger on the room holds now: why, and for how many seconds (infinite: at once, e.g. a stream that gave
    /// up); null when it does not. The stream's down time is counted on its own clock, the rest from when the healer first
    /// saw it.
    /// </summary>
    private (string Detail, double Seconds)? RoomState(string trigger, RoomIntent intent)
    {
        var live = intent.Phase == LessonPhases.Live;
        string? Since(string? detail)
        {
            lock (_gate)
            {
                if (detail is null) _roomSince.Remove(trigger);
                else _roomSince.TryAdd(trigger, _time.GetUtcNow());
            }
            return detail;
        }
        (string, double)? For(string? detail)
        {
            if (Since(detail) is not { } d) return null;
            DateTimeOffset since;
            lock (_gate) since = _roomSince[trigger];
            var seconds = (_time.GetUtcNow() - since).TotalSeconds;
            return (seconds >= 1 ? $"{d} ({seconds:0} s)" : d, seconds);
        }
        switch (trigger)
        {
            case HealTriggers.StreamDown:
                if (!live || _streams.Current is not { } stream) return null;
                var stats = stream.Stats;
                if (stats.State == StreamState.Failed) return ($"the lesson stream gave up: {stats.LastError}", double.PositiveInfinity);
                // Never started: its encoder failed twice in a row (a camera unplugged, a camera's stream that does not answer).
                if (stats.State == StreamState.Starting && stats.Restarts >= 2)
                    return ($"the lesson stream does not start ({stats.Restarts} tries): {stats.LastError}", double.PositiveInfinity);
                // Counted on the stream's own clock: how long its encoder has not sent.
                if (stats.State != StreamState.Running || stats.DownForSeconds is not { } down) return null;
                return ($"the lesson stream has sent nothing for {down:0} s: {stats.LastError}", down);
            case HealTriggers.UplinkLost:
                var sending = live && _streams.Current is { HasUplink: true } s && s.Stats is { State: StreamState.Running, UplinkUp: false };
                return For(sending ? $"the uplink to {Printable(_options.Stream.Uplink?.Redacted)} is down, the lesson records only" : null);
            case HealTriggers.PlayerStalled:
                var failed = live && _playback?.Current?.Stats is { State: PlaybackState.Failed };
                return failed ? ("the partner's player gave up: the partner is not shown", double.PositiveInfinity) : null;
            case HealTriggers.PartnerMissing:
                var missing = live && _playback?.Current?.Stats is { State: PlaybackState.Lost or PlaybackState.Waiting } p ? p : null;
                return For(missing is null ? null : $"nothing from the partner classroom {missing.Partner}: the slate is shown");
            case HealTriggers.DiskLow:
                return For(_streams.DiskLow ? $"the recording volume is below its {_options.Recording.MinFreeBytes / 1_048_576} MiB floor" : null);
            case HealTriggers.ClockUnsynced:
                return For(_compliance?.ClockUnsynced == true ? "the room's clock is not synchronized (the latest compliance check)" : null);
            default:
                return null;
        }
    }

    private static string Printable(string? s) => s ?? "the relay";

    /// <summary>Whether the trigger holds on the subject now: a device polled again, or the stream looked at.</summary>
    private async Task<(bool Holds, string Detail)> CheckAsync(Playbook book, Subject subject, RoomIntent intent, CancellationToken ct)
    {
        if (subject.Device is { } device)
        {
            var health = await _poller.PollNowAsync(device.Id, ct).ConfigureAwait(false);
            return health is null ? (false, "") : (Holds(book.Trigger, device, health, intent), health.Detail);
        }
        return RoomState(book.Trigger, intent) is { } room ? (true, room.Detail) : (false, $"{book.Trigger} no longer holds");
    }

    /// <summary>Whether a trigger holds on a device: what it reported against what the room wants of it.</summary>
    public bool Holds(string trigger, ClassroomDevice device, DeviceHealth health, RoomIntent intent)
    {
        var wants = _runner.Wants(device.Id, intent);
        var r = health.Readings;
        return trigger switch
        {
            HealTriggers.DeviceOffline => health.State == DeviceState.Offline,
            HealTriggers.DeviceFaulty => health.State == DeviceState.Faulty,
            HealTriggers.DisplayOff => wants.PowerOn == true && r?.PowerOn == false,
            HealTriggers.DisplayInput => wants.Input is { } input && r is { PowerOn: true, Input: { } shown } && shown != input,
            HealTriggers.DisplayAvMuted => wants.AvUnmuted == true && r is { PowerOn: true, AvMuted: true },
            HealTriggers.MicsMuted => wants.Unmuted == true && r?.Muted == true,
            _ => false,
        };
    }

    private async Task HealAsync(Playbook book, Subject subject, string seen, DateTimeOffset detected, CancellationToken ct)
    {
        var key = Key(book, subject);
        // Looked at again on the lesson loop, after any lesson step in progress (a lesson ending mutes its microphones
        // itself), and the device polled again after it: a poll taken while the room was being prepared saw the display
        // still off.
        var intent = await _runner.IntentOnLoopAsync().ConfigureAwait(false);
        if (!book.Allows(intent.Phase, intent.Role, SchoolClock(_time.GetUtcNow()))) return;
        var (holds, detail) = await CheckAsync(book, subject, intent, ct).ConfigureAwait(false);
        if (!holds) return;
        seen = detail;
        var first = detail;
        var lessonId = intent.Phase == LessonPhases.Live ? intent.LessonId : null;
        LogDetected(book.Id, book.Trigger, subject.Id, seen);
        var attempts = 0;
        var tried = new List<string>();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var now = _time.GetUtcNow();
            lock (_gate)
            {
                var list = Attempts(key, now, book.CoolDown);
                if (book.Attempts is { } max && list.Count >= max)
                {
                    var until = list.Max() + book.CoolDown;
                    _restUntil[key] = until;
                    Exhausted(book, subject, seen, attempts, tried, list.Count, until, lessonId, detected);
                    return;
                }
                list.Add(now);
            }
            attempts++;
            foreach (var action in book.Actions)
            {
                var note = await RunAsync(action, book, subject, seen, ct).ConfigureAwait(false);
                if (note is null)
                {
                    // The room wants nothing of the device any more (the lesson ended meanwhile): no attempt after all.
                    lock (_gate) Attempts(key, now, book.CoolDown).Remove(now);
                    return;
                }
                tried.Add(note);
            }
            for (var look = 0; look < 2; look++)
            {
                // Looked at right after the actions, and once more after the wait.
                if (look == 1)
                {
                    await SleepAsync(book.Wait, ct).ConfigureAwait(false);
                }
                intent = await _runner.IntentOnLoopAsync().ConfigureAwait(false);
                if (!book.Allows(intent.Phase, intent.Role, SchoolClock(_time.GetUtcNow()))) return;
                (holds, detail) = await CheckAsync(book, subject, intent, ct).ConfigureAwait(false);
                if (!holds)
                {
                    Healed(book, subject, first, attempts, tried, lessonId, detected);
                    return;
                }
                seen = detail;
                if (look == 0)
                {
                    var report = new HealReport(book.Id, book.Trigger, subject.Device?.Id, book.Actions.Select(a => a.Do).ToList(), HealOutcomes.NotHealed, attempts, null);
                    _events.Raise(EventTypes.Heal, Severity.Warning, subject.Device?.Id,
                        $"{book.Id}: {book.Trigger} on {subject.Id} still holds after attempt {attempts} ({string.Join(", ", tried.TakeLast(book.Actions.Count))}): {seen}", report);
                }
            }
        }
    }

    /// <summary>Runs one action; what it did in words, or null when the room wants nothing of the device now.</summary>
    private async Task<string?> RunAsync(PlaybookAction action, Playbook book, Subject subject, string seen, CancellationToken ct)
    {
        var device = subject.Device;
        switch (action.Do)
        {
            case HealActions.Repoll when device is not null:
                var h = await _poller.PollNowAsync(device.Id, ct).ConfigureAwait(false);
                return $"re-poll ({h?.State.ToString().ToLowerInvariant()})";
            case HealActions.Reconnect when device is not null:
                await device.Driver.ReconnectAsync(ct).ConfigureAwait(false);
                return "reconnect";
            case HealActions.ResendDesired when device is not null:
                var sent = await _runner.ResendDesiredAsync(device.Id).ConfigureAwait(false);
                if (sent is null)
                    return (await _runner.IntentOnLoopAsync().ConfigureAwait(false)).Phase == LessonPhases.Idle ? null : "resend-desired (nothing wanted)";
                return sent.Problem is { } p ? $"resend-desired failed: {p.Problem}" : "resend-desired";
            case HealActions.PowerCycle when device is not null:
                return await PowerCycleAsync(device, action, ct).ConfigureAwait(false);
            case HealActions.RestartStream:
                var (restarted, how) = await _streams.RestartAsync(ct).ConfigureAwait(false);
                return restarted ? $"restart-stream, {how}" + await SendingAgainAsync(ct).ConfigureAwait(false) : $"restart-stream skipped ({how})";
            case HealActions.SwitchSource:
                var (switched, why) = await _streams.SwitchToBackupVideoAsync(ct).ConfigureAwait(false);
                return switched ? "switch-source, " + why + await SendingAgainAsync(ct).ConfigureAwait(false) : $"switch-source skipped ({why})";
            case HealActions.RestartPlayer:
                if (_playback?.Current is not { } player || !player.RestartPlayer()) return "restart-player skipped (no partner playback)";
                return "restart-player" + await PlayingAgainAsync(ct).ConfigureAwait(false);
            case HealActions.StepDown:
                return _streams.Current?.Link?.StepDown($"playbook {book.Id} ({book.Trigger})") is { } step ? $"step-down, {step}" : "step-down skipped (no ladder to step down, or on its lowest rung)";
            case HealActions.Notify:
                _events.Raise(EventTypes.PlaybookNotice, Severity.Warning, device?.Id,
                    $"{book.Id}{(book.TitleZh is { } zh ? $"（{zh}）" : "")}: {book.Trigger} on {subject.Id}: {seen}");
                return "notify";
            default:
                return $"{action.Do} (not for {subject.Id})";
        }
    }

    /// <summary>Waits (up to <see cref="StreamBack"/>) until the lesson stream sends again; says how long it took.</summary>
    private async Task<string> SendingAgainAsync(CancellationToken ct)
    {
        var from = _time.GetUtcNow();
        while (_time.GetUtcNow() - from < StreamBack)
        {
            await SleepAsync(BootPoll, ct).ConfigureAwait(false);
            if (_streams.Current?.Stats is { State: StreamState.Running, DownForSeconds: null } && _streams.Current.Running.IsCompletedSuccessfully)
                return $" (sending again {(_time.GetUtcNow() - from).TotalSeconds:0} s later)";
        }
        return $" (not sending within {StreamBack.TotalSeconds:0} s)";
    }

    /// <summary>Waits (up to <see cref="StreamBack"/>) until the partner's player shows the partner again; says how long it took.</summary>
    private async Task<string> PlayingAgainAsync(CancellationToken ct)
    {
        var from = _time.GetUtcNow();
        while (_time.GetUtcNow() - from < StreamBack)
        {
            await SleepAsync(BootPoll, ct).ConfigureAwait(false);
            if (_playback?.Current?.Stats is { State: PlaybackState.Playing })
                return $" (playing again {(_time.GetUtcNow() - from).TotalSeconds:0} s later)";
        }
        return $" (not playing within {StreamBack.TotalSeconds:0} s)";
    }

    private async Task<string> PowerCycleAsync(ClassroomDevice device, PlaybookAction action, CancellationToken ct)
    {
        if (_devices.PowerRelayOf(device.Id) is not { } relay) return "power-cycle skipped (no mains relay)";
        var off = TimeSpan.FromSeconds(action.OffSeconds ?? 5);
        var boot = TimeSpan.FromSeconds(action.BootSeconds ?? 60);
        LogPowerCycle(device.Id, relay.Pin, off.TotalSeconds);
        relay.Set(false);
        try
        {
            await SleepAsync(off, ct).ConfigureAwait(false);
        }
        finally
        {
            relay.Set(true); // never leave a device without mains, whatever happens
        }
        var on = _time.GetUtcNow();
        while (_time.GetUtcNow() - on < boot)
        {
            await SleepAsync(BootPoll, ct).ConfigureAwait(false);
            if (await _poller.PollNowAsync(device.Id, ct).ConfigureAwait(false) is { State: DeviceState.Online or DeviceState.Degraded })
                return $"power-cycle (answered {(_time.GetUtcNow() - on).TotalSeconds:0} s after the mains came back)";
        }
        return $"power-cycle (no answer within {boot.TotalSeconds:0} s of the mains coming back)";
    }

    private void Healed(Playbook book, Subject subject, string seen, int attempts, List<string> tried, string? lessonId, DateTimeOffset detected)
    {
        var now = _time.GetUtcNow();
        var seconds = Math.Round((now - detected).TotalSeconds, 1);
        var report = new HealReport(book.Id, book.Trigger, subject.Device?.Id, book.Actions.Select(a => a.Do).ToList(), HealOutcomes.Healed, attempts, seconds);
        _events.Raise(EventTypes.Heal, Severity.Info, subject.Device?.Id,
            $"{book.Id}: {book.Trigger} on {subject.Id} healed in {seconds:0.#} s, attempt {attempts} ({string.Join(", ", tried)}); it was: {seen}", report);
        LogHealed(book.Id, book.Trigger, subject.Id, seconds, attempts);
        Remember(new HealSummary(book.Id, book.Trigger, subject.Id, detected, now, attempts, HealOutcomes.Healed, string.Join(", ", tried)));
        if (lessonId is not null)
            _runner.NoteHeal(new LiveHeal(lessonId, book.Id, book.Trigger, subject.Device?.Id ?? subject.Id, attempts, HealOutcomes.Healed, seconds));
    }

    private void Exhausted(Playbook book, Subject subject, string seen, int attempts, List<string> tried, int inWindow, DateTimeOffset until,
        string? lessonId, DateTimeOffset detected)
    {
        var now = _time.GetUtcNow();
        var what = tried.Count > 0 ? string.Join(", ", tried) : string.Join(", ", book.Actions.Select(a => a.Do));
        var report = new HealReport(book.Id, book.Trigger, subject.Device?.Id, book.Actions.Select(a => a.Do).ToList(), HealOutcomes.NotHealed, attempts, null);
        _events.Raise(EventTypes.HealFailed, Severity.Error, subject.Device?.Id,
            $"{book.Id}: {book.Trigger} on {subject.Id} not healed after {inWindow} attempt(s) within {book.CoolDown.TotalMinutes:0} min (tried: {what}); " +
            $"left to a technician until {SchoolTime.Minutes(until)}: {seen}", report);
        LogExhausted(book.Id, book.Trigger, subject.Id, inWindow, what);
        Remember(new HealSummary(book.Id, book.Trigger, subject.Id, detected, null, inWindow, HealOutcomes.NotHealed, what));
        if (lessonId is not null)
            _runner.NoteHeal(new LiveHeal(lessonId, book.Id, book.Trigger, subject.Device?.Id ?? subject.Id, attempts, HealOutcomes.NotHealed,
                Math.Round((now - detected).TotalSeconds, 1)));
    }

    private void Remember(HealSummary summary)
    {
        lock (_gate)
        {
            _recent.AddFirst(summary);
            while (_recent.Count > RecentKept) _recent.RemoveLast();
        }
    }

    /// <summary>The attempts of one playbook on one device within its cool-down (the list the limit counts).</summary>
    private List<DateTimeOffset> Attempts(string key, DateTimeOffset now, TimeSpan coolDown)
    {
        if (!_attempts.TryGetValue(key, out var list)) _attempts[key] = list = [];
        list.RemoveAll(t => now - t >= coolDown);
        return list;
    }

    private async Task SleepAsync(TimeSpan wait, CancellationToken ct)
    {
        if (wait <= TimeSpan.Zero) return;
        Interlocked.Increment(ref _sleeping);
        try
        {
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _sleeping);
        }
    }

    private static string Key(Playbook book, Subject subject) => $"{book.Id}/{subject.Id}";

    private static TimeOnly SchoolClock(DateTimeOffset now) => TimeOnly.FromDateTime(SchoolTime.Of(now).DateTime);

    public void Dispose() => _stop.Dispose();

    [LoggerMessage(EventId = 8101, Level = LogLevel.Warning, Message = "Playbook {Playbook}: {Trigger} on {Device} ({Detail}); healing")]
    private partial void LogDetected(string playbook, string trigger, string device, string detail);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Information, Message = "Playbook {Playbook}: {Trigger} on {Device} healed in {Seconds} s (attempt {Attempt})")]
    private partial void LogHealed(string playbook, string trigger, string device, double seconds, int attempt);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Error, Message = "Playbook {Playbook}: {Trigger} on {Device} not healed after {Attempts} attempt(s) (tried: {Tried}); left to a technician")]
    private partial void LogExhausted(string playbook, string trigger, string device, int attempts, string tried);

    [LoggerMessage(EventId = 8104, Level = LogLevel.Warning, Message = "Power cycle of {Device}: relay on line {Pin} off for {Seconds} s")]
    private partial void LogPowerCycle(string device, int pin, double seconds);

    [LoggerMessage(EventId = 8105, Level = LogLevel.Error, Message = "Playbook {Playbook} on {Device} broke off")]
    private partial void LogHealBroke(Exception e, string playbook, string device);
}

/// <summary>What a playbook works on: a device, or the room's stream (<see cref="Healer.Stream"/>, no device).</summary>
internal sealed record Subject(string Id, ClassroomDevice? Device);

/// <summary>A heal or a failed one, as <c>ctl status</c> shows it.</summary>
public sealed record HealSummary(string Playbook, string Trigger, string Device, DateTimeOffset DetectedAt, DateTimeOffset? RecoveredAt, int Attempts,
    string Outcome, string Tried);
