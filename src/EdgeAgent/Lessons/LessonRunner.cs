using System.Text.Json;
using System.Threading.Channels;
using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using EdgeAgent.Media;
using EdgeAgent.Media.Send;
using EdgeAgent.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Lessons;

/// <summary>
/// Runs the room's lessons from the bookings, on <see cref="TimeProvider"/>: <c>lessons.prepareMinutes</c> before the
/// shared window it prepares the room (<see cref="RoomControl"/>); at the window's start it starts the stream and
/// recording; at its end it stops them, mutes the microphones, puts the light out, and turns the display off after
/// <c>lessons.displayOffGraceMinutes</c> unless another lesson is prepared before then. The lesson button and the
/// <c>lesson-start</c>/<c>lesson-stop</c> commands start and stop lessons by hand. The live lesson is saved every
/// <see cref="AliveInterval"/>; after a restart in its window the lesson resumes and its record shows the gap.
/// Each finished lesson becomes one <see cref="LessonRecord"/> (state database, then the outbox).
/// </summary>
public sealed partial class LessonRunner : BackgroundService
{
    public static readonly TimeSpan AliveInterval = TimeSpan.FromSeconds(15);

    private readonly AgentOptions _options;
    private readonly LessonOptions _lessons;
    private readonly TimeProvider _time;
    private readonly ILogger<LessonRunner> _log;
    private readonly RoomControl _room;
    private readonly StreamService _streams;
    private readonly LessonStore _store;
    private readonly EventSink _events;
    private readonly Outbox _outbox;
    private readonly RoomTopics _topics;
    private readonly DeviceRegistry _devices;
    private readonly Channel<Func<Task>> _requests = Channel.CreateUnbounded<Func<Task>>();
    private readonly Dictionary<string, IReadOnlyList<DeviceProblem>> _prepared = new(StringComparer.Ordinal);
    private readonly HashSet<string> _clashesRaised = new(StringComparer.Ordinal);
    private readonly LoopBeat? _beat;
    private LessonBook _book;
    private readonly BookingSource _bookings;
    private Live? _live;
    private DateTimeOffset? _displayOffAt;

    public LessonRunner(AgentOptions options, TimeProvider time, ILogger<LessonRunner> log, RoomControl room, StreamService streams, LessonStore store,
        EventSink events, Outbox outbox, RoomTopics topics, DeviceRegistry devices, BookingSource bookings, MainLoops? loops = null)
    {
        _options = options;
        _lessons = options.Lessons;
        _time = time;
        _log = log;
        _room = room;
        _streams = streams;
        _store = store;
        _events = events;
        _outbox = outbox;
        _topics = topics;
        _devices = devices;
        _bookings = bookings;
        _book = LessonBook.Empty(options.School); // read at start: the state database is migrated by then
        bookings.Changed += book => Post(() =>
        {
            _book = book;
            RaiseClashes(_time.GetUtcNow(), force: true);
            return Task.CompletedTask;
        });
        if (devices.LessonButton is { } button) button.Pressed += () => Post(() => ToggleAsync("button"));
        _beat = loops?.Register("lessons", TimeSpan.FromMinutes(2));
    }

    /// <summary>The lesson running now, if any.</summary>
    public LiveLesson? Current => _live?.Saved;
    private long _waitingUntilTicks;
    private long _passes;

    /// <summary>For tests on a fake clock: how many times the loop has woken, and until when it sleeps now (null while it works).</summary>
    internal (long Passes, DateTimeOffset? WaitingUntil) LoopState
    {
        get
        {
            var ticks = Interlocked.Read(ref _waitingUntilTicks);
            return (Interlocked.Read(ref _passes), ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero));
        }
    }

    /// <summary>A lesson runs and the runner has seen its stream make progress.</summary>
    public bool IsStreaming => _live?.RunningAt is not null;
    public LessonBook Book => _book;

    /// <summary>Raised after a lesson record is stored and queued.</summary>
    public event Action<LessonRecord>? Recorded;

    public IReadOnlyList<PlannedLesson> Upcoming(int days) =>
        LessonSchedule.Upcoming(_book, _time.GetUtcNow(), days, Prepare, Overlap);

    private TimeSpan Prepare => TimeSpan.FromMinutes(_lessons.PrepareMinutes);
    private TimeSpan Overlap => TimeSpan.FromMinutes(_lessons.MinimumOverlapMinutes);

    /// <summary>Starts the lesson booked around now, or an ad-hoc one; the answer says which.</summary>
    public Task<LiveLesson> StartManualAsync(string by) => Ask(() => StartManualCoreAsync(by));

    /// <summary>Ends the running lesson now; null when none runs.</summary>
    public Task<LessonRecord?> StopManualAsync(string by) => Ask(() => StopManualCoreAsync(by));

    private async Task<LiveLesson> StartManualCoreAsync(string by)
    {
        if (_live is not null) throw new InvalidOperationException($"lesson {_live.Saved.Id} is already running");
        var now = _time.GetUtcNow();
        var booked = Upcoming(1).FirstOrDefault(p => p.PrepareAt <= now && now < p.End && !_store.HasRecord(RecordId(p.Booking)));
        if (booked is not null)
        {
            if (!_prepared.ContainsKey(booked.Booking.Id)) await PrepareAsync(booked).ConfigureAwait(false);
            await StartAsync(booked, by).ConfigureAwait(false);
        }
        else
        {
            var problems = await _room.PrepareAsync(_options.Role, CancellationToken.None).ConfigureAwait(false);
            RaiseDeviceProblems(null, problems);
            await StartAdhocAsync(now, problems, by).ConfigureAwait(false);
        }
        return _live!.Saved;
    }

    private async Task<LessonRecord?> StopManualCoreAsync(string by) =>
        _live is null ? null : await EndAsync($"stopped by {by}").ConfigureAwait(false);

    /// <summary>The button: runs on the loop, so it calls the loop's own steps (asking the loop from the loop would wait forever).</summary>
    private async Task ToggleAsync(string by)
    {
        try
        {
            if (_live is null) await StartManualCoreAsync(by).ConfigureAwait(false);
            else await StopManualCoreAsync(by).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            _log.LogWarning("Lesson button: {Reason}", e.Message);
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
            _book = _bookings.Current;
            _store.QueuePending();
            await ResumeAsync().ConfigureAwait(false);
            RaiseClashes(_time.GetUtcNow(), force: true);
            while (!stoppingToken.IsCancellationRequested)
            {
                _beat?.Beat();
                await TickAsync().ConfigureAwait(false);
                var wakeAt = NextWake(_time.GetUtcNow());
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
                        _log.LogError(e, "Lesson request failed");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // An agent stopping mid-lesson leaves the lesson live in the state database: the next start resumes it.
        if (_live is { } live)
        {
            SaveLive(live);
            _log.LogInformation("Agent stopping during lesson {Lesson}; it resumes at the next start", live.Saved.Id);
        }
    }

    /// <summary>One pass: end, start, prepare, turn off what is due. Runs on the runner's loop only.</summary>
    internal async Task TickAsync()
    {
        var now = _time.GetUtcNow();
        if (_live is { } live)
        {
            if (now >= live.Saved.PlannedEnd)
            {
                await EndAsync("scheduled end").ConfigureAwait(false);
            }
            else
            {
                if (live.RunningAt is null && live.Stream?.Running.IsCompletedSuccessfully == true) live.RunningAt = now;
                if (live.RunningAt is null && live.Stream?.Running.IsFaulted == true)
                {
                    await EndAsync(null).ConfigureAwait(false);
                    return;
                }
                if (now - live.Saved.LastAliveAt >= AliveInterval) SaveLive(live);
            }
        }
        if (_live is null)
        {
            foreach (var plan in Upcoming(1).Where(p => p.PrepareAt <= now && now < p.End))
            {
                if (_store.HasRecord(RecordId(plan.Booking))) continue;
                if (!_prepared.ContainsKey(plan.Booking.Id)) await PrepareAsync(plan).ConfigureAwait(false);
                if (now >= plan.Start)
                {
                    await StartAsync(plan, "timetable").ConfigureAwait(false);
                    break;
                }
            }
        }
        if (_live is null && _displayOffAt is { } off && now >= off)
        {
            _displayOffAt = null;
            var problems = await _room.DisplayOffAsync(CancellationToken.None).ConfigureAwait(false);
            RaiseDeviceProblems(null, problems);
        }
        if (now.Date != _clashDay) RaiseClashes(now, force: false);
    }

    private DateTimeOffset _clashDay;

    /// <summary>The next moment something is due, at most <see cref="AliveInterval"/> away while a lesson runs.</summary>
    private DateTimeOffset NextWake(DateTimeOffset now)
    {
        var candidates = new List<DateTimeOffset> { now.AddMinutes(10) };
        if (_live is { } live)
        {
            candidates.Add(live.Saved.PlannedEnd);
            candidates.Add(now + AliveInterval);
            if (live.RunningAt is null) candidates.Add(now.AddSeconds(1));
        }
        foreach (var p in Upcoming(2))
        {
            if (_store.HasRecord(RecordId(p.Booking))) continue;
            if (p.PrepareAt > now) candidates.Add(p.PrepareAt);
            if (p.Start > now) candidates.Add(p.Start);
        }
        if (_displayOffAt is { } off) candidates.Add(off);
        candidates.Add(new DateTimeOffset(now.Date.AddDays(1), TimeSpan.Zero));
        return candidates.Where(c => c > now).DefaultIfEmpty(now.AddSeconds(1)).Min();
    }

    private async Task PrepareAsync(PlannedLesson plan)
    {
        _log.LogInformation("Lesson {Booking} ({Subject}, {Form}): preparing the room for the {Role} role", plan.Booking.Id, plan.Booking.Subject, plan.Booking.Form, plan.Booking.Role);
        _displayOffAt = null;
        var problems = await _room.PrepareAsync(plan.Booking.Role, CancellationToken.None).ConfigureAwait(false);
        _prepared[plan.Booking.Id] = problems;
        RaiseDeviceProblems(plan.Booking.Id, problems);
    }

    private async Task StartAsync(PlannedLesson plan, string by)
    {
        var now = _time.GetUtcNow();
        var problems = _prepared.GetValueOrDefault(plan.Booking.Id) ?? [];
        var saved = new LiveLesson(RecordId(plan.Booking), plan.Booking, plan.Start, plan.End, now, now, [], problems.Select(p => p.Device).Distinct().ToList(), by, Empty);
        await GoLiveAsync(saved, StreamName(plan.Booking)).ConfigureAwait(false);
    }

    private async Task StartAdhocAsync(DateTimeOffset now, IReadOnlyList<DeviceProblem> problems, string by)
    {
        var id = Outbox.NewId();
        var saved = new LiveLesson(id, null, null, now.AddMinutes(_lessons.AdhocMinutes), now, now, [], problems.Select(p => p.Device).Distinct().ToList(), by, Empty);
        await GoLiveAsync(saved, $"adhoc-{id[..12]}").ConfigureAwait(false);
    }

    private async Task GoLiveAsync(LiveLesson saved, string streamName)
    {
        var live = new Live(saved, streamName);
        _live = live;
        _store.SaveLive(saved);
        _displayOffAt = null;
        _room.OnAir();
        _log.LogInformation("Lesson {Lesson} ({Stream}) on air until {End:HH:mm} (started by {By})", saved.Id, streamName, saved.PlannedEnd, saved.StartedBy);
        try
        {
            live.Stream = await _streams.StartStreamAsync(streamName, CancellationToken.None).ConfigureAwait(false);
            _ = live.Stream.Running.ContinueWith(_ => Post(() => Task.CompletedTask), TaskScheduler.Default);
        }
        catch (Exception e) when (e is StreamConfigException or System.ComponentModel.Win32Exception or IOException)
        {
            live.StartError = e.Message;
            await EndAsync(null).ConfigureAwait(false);
        }
    }

    /// <summary>Stops stream and room, writes the record. <paramref name="reason"/> null: the stream never started.</summary>
    private async Task<LessonRecord> EndAsync(string? reason)
    {
        var live = _live!;
        var now = _time.GetUtcNow();
        var stats = live.Stream is null ? null : await _streams.StopStreamAsync().ConfigureAwait(false);
        var problems = await _room.EndAsync(CancellationToken.None).ConfigureAwait(false);
        RaiseDeviceProblems(live.Saved.Booking?.Id, problems);
        var end = live.Saved.PlannedEnd < now ? live.Saved.PlannedEnd : now;
        var health = Health(live, stats, end);
        var record = Record(live, health, end, reason, stats);
        _store.Save(record);
        _store.SaveLive(null);
        _live = null;
        _log.LogInformation("Lesson {Lesson} ended ({Reason}): {Status}, {Seconds} s streamed ({Uptime} %), {Restarts} restart(s)",
            record.Id, reason ?? "the stream never started", record.Status, health.SecondsStreamed, health.UptimePercent, health.Restarts);
        if (record.Status == LessonStatus.Failed)
            _events.Raise(EventTypes.LessonFailed, Severity.Error, null, $"lesson {record.BookingId ?? record.Id}: {record.Reason}");
        PublishTallies();
        Recorded?.Invoke(record);

        // The display stays on if the next lesson is prepared within the grace period.
        var grace = TimeSpan.FromMinutes(_lessons.DisplayOffGraceMinutes);
        var next = Upcoming(1).FirstOrDefault(p => p.PrepareAt >= now && !_store.HasRecord(RecordId(p.Booking)));
        _displayOffAt = next is not null && next.PrepareAt <= now + grace ? null : now + grace;
        return record;
    }

    /// <summary>The lesson's figures so far: earlier runs (before a restart) plus the current stream on the runner's clock.</summary>
    private static LessonStreamHealth Health(Live live, StreamStats? stats, DateTimeOffset end)
    {
        var earlier = live.Saved.Earlier;
        var seconds = earlier.SecondsStreamed;
        if (live.RunningAt is { } from && end > from) seconds += Math.Max(0, (end - from).TotalSeconds - (stats?.DowntimeSeconds ?? 0));
        // Stopped before the runner saw the stream running: what the encoder reported is all there is.
        else if (live.RunningAt is null && stats is { StreamedSeconds: > 0 }) seconds += stats.StreamedSeconds;
        var planned = live.Saved.PlannedStart is { } ps ? (live.Saved.PlannedEnd - ps).TotalSeconds : (end - live.Saved.ActualStart).TotalSeconds;
        return new LessonStreamHealth(
            Math.Round(seconds, 1), planned <= 0 ? 0 : Math.Round(Math.Min(100, 100 * seconds / planned), 1),
            earlier.Restarts + (stats?.Restarts ?? 0), earlier.Stalls + (stats?.Stalls ?? 0), earlier.UplinkLosses + (stats?.UplinkLosses ?? 0),
            earlier.DroppedFrames + (stats?.DropFrames ?? 0), earlier.Bytes + (stats?.RecordedBytes ?? 0), earlier.UplinkBytes + (stats?.UplinkBytes ?? 0));
    }

    private LessonRecord Record(Live live, LessonStreamHealth health, DateTimeOffset end, string? reason, StreamStats? stats)
    {
        var s = live.Saved;
        var b = s.Booking;
        string status;
        string? why = null;
        if (live.RunningAt is null && health.SecondsStreamed <= 0)
        {
            status = LessonStatus.Failed;
            why = $"the stream never started: {live.StartError ?? stats?.LastError ?? reason ?? "no progress"}";
        }
        else if (b is null) status = LessonStatus.Adhoc;
        else if (health.UptimePercent >= _lessons.CompletedPercent) status = LessonStatus.Completed;
        else if (health.UptimePercent >= _lessons.PartialPercent)
        {
            status = LessonStatus.Partial;
            why = $"{health.UptimePercent} % of the window streamed";
        }
        else
        {
            status = LessonStatus.Failed;
            why = $"only {health.UptimePercent} % of the window streamed (partial needs {_lessons.PartialPercent} %)";
        }
        return new LessonRecord(LessonRecord.SchemaId, s.Id, b?.Id, _options.Region, _options.School, _options.Room, b?.Role ?? _options.Role,
            status, why, b?.Form ?? "adhoc", b?.Subject, b?.PartnerSchool, b?.PartnerRoom, b?.Teacher, b?.Class, b?.Students ?? 0,
            b?.Period, s.PlannedStart, s.PlannedStart is null ? null : s.PlannedEnd, s.ActualStart, end,
            health, s.Gaps, s.DevicesFailed, s.StartedBy);
    }

    /// <summary>After a restart: a lesson still in its window resumes (the gap recorded); one whose window passed is closed.</summary>
    private async Task ResumeAsync()
    {
        if (_store.LoadLive() is not { } saved) return;
        var now = _time.GetUtcNow();
        var gap = new LessonGap(saved.LastAliveAt, now < saved.PlannedEnd ? now : saved.PlannedEnd);
        var resumed = saved with { Gaps = [.. saved.Gaps, gap], LastAliveAt = now };
        var live = new Live(resumed, saved.Booking is { } b ? StreamName(b) : $"adhoc-{saved.Id[..12]}");
        if (now >= saved.PlannedEnd)
        {
            _live = live;
            _log.LogWarning("Lesson {Lesson} ended while the agent was down; closing its record", saved.Id);
            await EndAsync("ended while the agent was down").ConfigureAwait(false);
            return;
        }
        _log.LogWarning("Resuming lesson {Lesson} after a {Gap:0} s gap", saved.Id, gap.Seconds);
        _live = live;
        _store.SaveLive(resumed);
        _room.OnAir();
        try
        {
            live.Stream = await _streams.StartStreamAsync(live.StreamName, CancellationToken.None).ConfigureAwait(false);
            _ = live.Stream.Running.ContinueWith(_ => Post(() => Task.CompletedTask), TaskScheduler.Default);
        }
        catch (Exception e) when (e is StreamConfigException or System.ComponentModel.Win32Exception or IOException)
        {
            live.StartError = e.Message;
        }
    }

    private void SaveLive(Live live)
    {
        var now = _time.GetUtcNow();
        var health = Health(live, live.Stream?.Stats, now);
        var saved = live.Saved with { LastAliveAt = now };
        _store.SaveLive(saved with { Earlier = health });
        // Keep the in-memory copy's Earlier unchanged: the current stream's part is added on top of it.
        live.Saved = saved;
    }

    private void RaiseDeviceProblems(string? booking, IReadOnlyList<DeviceProblem> problems)
    {
        foreach (var p in problems)
            _events.Raise(EventTypes.LessonDeviceFailed, Severity.Warning, p.Device, $"lesson {booking ?? "(ad hoc)"}: {p.Problem}; the lesson goes ahead without it");
    }

    /// <summary>timetable-clash events for the days ahead: once per booking per day, and again whenever the bookings change.</summary>
    private void RaiseClashes(DateTimeOffset now, bool force)
    {
        _clashDay = now.Date;
        if (force) _clashesRaised.Clear();
        foreach (var p in Upcoming(_lessons.ClashLookaheadDays).Where(p => p.IsClash))
        {
            var key = $"{p.Booking.Id}@{now:yyyy-MM-dd}";
            if (!_clashesRaised.Add(key)) continue;
            _events.Raise(EventTypes.TimetableClash, Severity.Warning, null,
                $"booking {p.Booking.Id} on {p.Booking.Date:yyyy-MM-dd} period {p.Booking.Period} with {p.Booking.PartnerSchool}: {p.Shared!.Reason}");
        }
    }

    private void PublishTallies()
    {
        var zone = _book.Own?.Zone ?? SchoolTime.ChinaStandardTime;
        var now = _time.GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var tallies = TallyCalculator.Compute(_store.Records(), today, _lessons.Targets, zone, now);
        _outbox.Enqueue(OutboxKind.Tallies, _topics.Tallies, Outbox.NewId(), JsonSerializer.SerializeToUtf8Bytes(tallies, ContractJson.Wire.Tallies), retain: true);
    }

    /// <summary>The record id of a booking's lesson: stable across restarts, unique in the fleet.</summary>
    private string RecordId(Booking b) => $"{_options.Region}.{_options.School}.{_options.Room}.{b.Id}";

    /// <summary>Recording files are named by the booking id (characters a file name may not carry become '_').</summary>
    private static string StreamName(Booking b) => new(b.Id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());

    private static readonly LessonStreamHealth Empty = LessonStreamHealth.None;

    private sealed class Live(LiveLesson saved, string streamName)
    {
        public LiveLesson Saved { get; set; } = saved;
        public string StreamName { get; } = streamName;
        public StreamSupervisor? Stream { get; set; }
        public DateTimeOffset? RunningAt { get; set; }
        public string? StartError { get; set; }
    }
}
