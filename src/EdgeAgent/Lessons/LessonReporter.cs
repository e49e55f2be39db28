using System.Text.Json;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using EdgeAgent.State;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Lessons;

/// <summary>
/// Writes down what the lesson loop did, after every pass, failed ones too: the live lesson saved (every
/// <see cref="LessonPlanner.AliveInterval"/>) and shown on the health board, records stored then queued for the office,
/// the programme tallies, and the events (lesson failed or missed, device problems, clashes). A record the state
/// database cannot take yet (a full disk) is kept in memory, counts as written for the planner, and is stored and sent
/// when space returns: a lesson is never lost and never counted twice.
/// </summary>
public sealed partial class LessonReporter(LessonStore store, EventSink events, LiveBoard board, LessonRecords records, TimeProvider time,
    ILogger<LessonReporter> log)
{
    private readonly List<LessonRecord> _pending = [];
    private bool _saveFailing;

    /// <summary>Raised after a lesson record is stored and queued.</summary>
    public event Action<LessonRecord>? Recorded;

    /// <summary>Records held in memory because the state database could not take them yet.</summary>
    public int Pending => _pending.Count;

    /// <summary>Whether a record of this id exists: stored, or waiting in memory to be.</summary>
    public bool IsRecorded(string id)
    {
        if (_pending.Any(r => r.Id == id)) return true;
        try
        {
            return store.HasRecord(id);
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>At start: records stored but not yet queued when the agent stopped go to the outbox now.</summary>
    public void QueueUnsent()
    {
        try
        {
            store.QueuePending();
        }
        catch (SqliteException e)
        {
            LogHeld("(stored earlier)", 0, e.Message);
        }
    }

    /// <summary>After every pass: the live lesson saved when due and shown, held records retried.</summary>
    public void Passed(LessonState state)
    {
        if (state.Live is { } live)
        {
            SaveLive(live, force: false);
            var stats = live.Stream?.Stats;
            board.Show(new LiveLessonHealth(live.Saved.Id, live.Saved.Booking?.Id, SchoolTime.Of(live.Saved.ActualStart), SchoolTime.Of(live.Saved.PlannedEnd),
                live.Saved.StartedBy, stats is null ? null : new LiveStreamHealth(stats.State.ToString().ToLowerInvariant(), stats.Fps, stats.BitrateKbps,
                    live.Stream!.HasUplink ? stats.UplinkUp : null, stats.StreamedSeconds, stats.Restarts, stats.Stalls, stats.UplinkLosses, stats.DropFrames,
                    stats.Link),
                live.Player?.Stats is { } played ? new LivePlaybackHealth(played.State.ToString().ToLowerInvariant(), played.Partner, played.LatestLatencyMs,
                    played.SecondsPlayed, played.Stalls, played.PartnerLostSeconds, played.DroppedFrames, played.PlayerRestarts, played.Link) : null,
                live.Saved.Heals is { Count: > 0 } heals ? heals.Select(h => h with { DetectedAt = SchoolTime.Of(h.DetectedAt), RecoveredAt = h.RecoveredAt is { } r ? SchoolTime.Of(r) : null }).ToList() : null));
        }
        else board.Show(null);
        if (_pending.Count > 0) StorePending();
    }

    /// <summary>Saves the live lesson (at once, or when <see cref="LessonPlanner.AliveInterval"/> has passed since the last save).</summary>
    public void SaveLive(LiveRun live, bool force)
    {
        var now = time.GetUtcNow();
        if (!force && now - live.Saved.LastAliveAt < LessonPlanner.AliveInterval) return;
        var health = LessonRecords.Health(live, live.Stream?.Stats, now);
        var saved = live.Saved with { LastAliveAt = now };
        try
        {
            store.SaveLive(saved with { Earlier = health, PlaybackEarlier = LessonRecords.Playback(live, live.Player?.Stats) });
            if (_saveFailing) LogSaveWorksAgain(saved.Id);
            _saveFailing = false;
        }
        catch (SqliteException e)
        {
            // Not saved: a restart now would resume with a longer gap. The lesson itself goes on.
            if (!_saveFailing) LogSaveFailed(saved.Id, e.Message);
            _saveFailing = true;
        }
        // Keep the in-memory copy's Earlier unchanged: the current stream's part is added on top of it.
        live.Saved = saved;
    }

    public void Finished(LessonRecord record)
    {
        try
        {
            store.SaveLive(null);
        }
        catch (SqliteException)
        {
            // The live row stays until the database takes writes again; its record id makes the resume close it.
        }
        if (record.Status == LessonStatus.Failed)
            events.Raise(EventTypes.LessonFailed, Severity.Error, null, $"lesson {record.BookingId ?? record.Id}: {record.Reason}");
        Store(record);
    }

    public void Missed(LessonRecord record)
    {
        events.Raise(EventTypes.LessonMissed, Severity.Warning, null,
            $"lesson {record.BookingId} ({record.Subject}, period {record.Period}, {SchoolTime.Minutes(record.PlannedStart)}) did not run: {record.Reason}");
        Store(record);
    }

    public void DeviceProblems(string? booking, IReadOnlyList<DeviceProblem> problems)
    {
        foreach (var p in problems)
            events.Raise(EventTypes.LessonDeviceFailed, Severity.Warning, p.Device, $"lesson {booking ?? "(ad hoc)"}: {p.Problem}; the lesson goes ahead without it");
    }

    /// <summary>timetable-clash events for the days ahead: once per booking per day, and again whenever the bookings change.</summary>
    public void Clashes(LessonState state, DateOnly day, IReadOnlyList<PlannedLesson> clashes, bool force)
    {
        state.ClashDay = day;
        if (force) state.ClashesRaised.Clear();
        foreach (var p in clashes)
        {
            if (!state.ClashesRaised.Add($"{p.Booking.Id}@{day:yyyy-MM-dd}")) continue;
            events.Raise(EventTypes.TimetableClash, Severity.Warning, null,
                $"booking {p.Booking.Id} on {p.Booking.Date:yyyy-MM-dd} period {p.Booking.Period} with {p.Booking.PartnerSchool}: {p.Shared!.Reason}");
        }
    }

    private void Store(LessonRecord record)
    {
        _pending.Add(record);
        StorePending();
    }

    /// <summary>
    /// Stores held records in order; the first that fails stops the attempt (the disk is still full). When all are in,
    /// the tallies follow (a missed lesson changes none).
    /// </summary>
    private void StorePending()
    {
        while (_pending.Count > 0)
        {
            var record = _pending[0];
            try
            {
                store.Save(record);
            }
            catch (SqliteException e)
            {
                LogHeld(record.Id, _pending.Count, e.Message);
                return;
            }
            _pending.RemoveAt(0);
            Recorded?.Invoke(record);
            if (_pending.Count == 0 && record.Status != LessonStatus.Missed) PublishTallies();
        }
    }

    private void PublishTallies()
    {
        try
        {
            store.PublishTallies(records.Tallies(store.Records(), time.GetUtcNow()));
        }
        catch (SqliteException e)
        {
            LogTalliesFailed(e.Message);
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Lesson {Lesson}: the live lesson cannot be saved ({Reason}); it goes on, a restart would resume it with a longer gap")]
    private partial void LogSaveFailed(string lesson, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Lesson {Lesson}: the live lesson is saved again")]
    private partial void LogSaveWorksAgain(string lesson);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Lesson record {Lesson} held in memory ({Count} waiting): the state database cannot take it yet ({Reason})")]
    private partial void LogHeld(string lesson, int count, string reason);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Tallies not published: {Reason}")]
    private partial void LogTalliesFailed(string reason);
}
