using EdgeAgent.Contract.Payloads;
using EdgeAgent.Media;
using EdgeAgent.Media.Play;
using EdgeAgent.Media.Send;
using EdgeAgent.State;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Lessons;

/// <summary>
/// Runs the planner's steps on the room: devices through <see cref="RoomControl"/> (every device step bounded there),
/// what the room sends through <see cref="StreamService"/> and, in a two-way lesson, the partner it plays through
/// <see cref="PlaybackService"/>. What happens is handed to the <see cref="LessonReporter"/>: device
/// problems, finished and missed records. A failing step never ends the loop: it is logged and reported, and the
/// planner looks again.
/// </summary>
public sealed partial class LessonExecutor(RoomControl room, RoomMedia media, LessonRecords records, LessonReporter reporter, TimeProvider time,
    ILogger<LessonExecutor> log)
{
    public RoomControl Room => room;

    /// <summary>This room's role when no booking says otherwise.</summary>
    public Contract.Vocabulary.RoomRole Role => records.Role;

    public async Task RunAsync(LessonStep step, LessonState state)
    {
        switch (step)
        {
            case LessonStep.End end:
                await EndAsync(state, end.Reason).ConfigureAwait(false);
                break;
            case LessonStep.Prepare prepare:
                await PrepareAsync(state, prepare.Plan).ConfigureAwait(false);
                break;
            case LessonStep.Start start:
                await StartAsync(state, start.Plan, start.By).ConfigureAwait(false);
                break;
            case LessonStep.Miss miss:
                if (state.Preparing?.Plan.Booking.Id == miss.Plan.Booking.Id) state.Preparing = null;
                LogMissed(miss.Plan.Booking.Id, miss.Reason);
                reporter.Missed(records.Missed(miss.Plan, miss.Reason));
                break;
            case LessonStep.DisplayOff:
                state.LastEndedAt = null;
                reporter.DeviceProblems(null, await room.DisplayOffAsync(CancellationToken.None).ConfigureAwait(false));
                break;
            case LessonStep.RaiseClashes clashes:
                reporter.Clashes(state, clashes.Day, clashes.Clashes, clashes.Force);
                break;
        }
    }

    public async Task PrepareAsync(LessonState state, PlannedLesson plan)
    {
        LogPreparing(plan.Booking.Id, plan.Booking.Subject, plan.Booking.Form, Contract.Vocabulary.Words.Of(plan.Booking.Role));
        state.LastEndedAt = null;
        state.Preparing = (plan, TwoWay(plan.Booking));
        var problems = await room.PrepareAsync(plan.Booking.Role, TwoWay(plan.Booking), CancellationToken.None).ConfigureAwait(false);
        state.Prepared[plan.Booking.Id] = problems;
        reporter.DeviceProblems(plan.Booking.Id, problems);
    }

    public async Task StartAsync(LessonState state, PlannedLesson plan, string by)
    {
        var now = time.GetUtcNow();
        if (!state.Prepared.ContainsKey(plan.Booking.Id)) await PrepareAsync(state, plan).ConfigureAwait(false);
        var problems = state.Prepared.GetValueOrDefault(plan.Booking.Id) ?? [];
        var saved = new LiveLesson(records.RecordId(plan.Booking), plan.Booking, plan.Start, plan.End, now, now, [],
            problems.Select(p => p.Device).Distinct().ToList(), by, LessonStreamHealth.None);
        await GoLiveAsync(state, saved, LessonRecords.StreamName(plan.Booking)).ConfigureAwait(false);
    }

    /// <summary>An ad-hoc lesson of <c>lessons.adhocMinutes</c>, started by hand with nothing booked now.</summary>
    public async Task StartAdhocAsync(LessonState state, TimeSpan length, string by)
    {
        var problems = await room.PrepareAsync(records.Role, twoWay: false, CancellationToken.None).ConfigureAwait(false);
        reporter.DeviceProblems(null, problems);
        var now = time.GetUtcNow();
        var id = Outbox.NewId();
        var saved = new LiveLesson(id, null, null, now + length, now, now, [], problems.Select(p => p.Device).Distinct().ToList(), by, LessonStreamHealth.None);
        await GoLiveAsync(state, saved, LessonRecords.AdhocStreamName(id)).ConfigureAwait(false);
    }

    private async Task GoLiveAsync(LessonState state, LiveLesson saved, string streamName)
    {
        var live = new LiveRun(saved, streamName);
        state.Live = live;
        state.Preparing = null;
        state.LastEndedAt = null;
        reporter.SaveLive(live, force: true);
        room.OnAir();
        LogOnAir(saved.Id, streamName, saved.PlannedEnd, saved.StartedBy);
        await StartStreamAsync(state, live).ConfigureAwait(false);
        if (live.StartError is not null) await EndAsync(state, null).ConfigureAwait(false);
        else await StartPlaybackAsync(live).ConfigureAwait(false);
    }

    /// <summary>Whether a booking is played two ways: it names its partner and this room knows where to find it.</summary>
    private bool TwoWay(Booking? b) => b is not null && media.Play.PartnerOf(b.PartnerSchool, b.PartnerRoom, out _) is not null;

    /// <summary>A two-way lesson plays its partner from the window's start; a player that cannot start leaves the lesson sending and recording.</summary>
    private async Task StartPlaybackAsync(LiveRun live)
    {
        if (live.Saved.Booking is not { PartnerSchool: { } school, PartnerRoom: { } partnerRoom } b) return;
        if (media.Play.PartnerOf(school, partnerRoom, out var why) is not { } partner)
        {
            LogOneWay(b.Id, why ?? "no partner");
            return;
        }
        live.TwoWay = true;
        try
        {
            live.Player = await media.Play.StartAsync(live.StreamName, school, partnerRoom, partner, live.Saved.PlannedStart ?? live.Saved.ActualStart,
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StreamConfigException or System.ComponentModel.Win32Exception or IOException)
        {
            live.PlayError = e.Message;
            LogPlayFailed(b.Id, e.Message);
        }
    }

    private async Task StartStreamAsync(LessonState state, LiveRun live)
    {
        try
        {
            live.Stream = await media.Send.StartStreamAsync(live.StreamName, CancellationToken.None).ConfigureAwait(false);
            _ = live.Stream.Running.ContinueWith(_ => state.Wake(), TaskScheduler.Default);
        }
        catch (Exception e) when (e is StreamConfigException or System.ComponentModel.Win32Exception or IOException)
        {
            live.StartError = e.Message;
        }
    }

    /// <summary>Stops stream and room and writes the record. <paramref name="reason"/> null: the stream never started.</summary>
    public async Task<LessonRecord> EndAsync(LessonState state, string? reason)
    {
        var live = state.Live!;
        var now = time.GetUtcNow();
        var stats = live.Stream is null ? null : await media.Send.StopStreamAsync().ConfigureAwait(false);
        var sent = live.Stream is null ? null : media.Send.LastFigures;
        var played = live.Player is null ? null : await media.Play.StopAsync().ConfigureAwait(false);
        reporter.DeviceProblems(live.Saved.Booking?.Id, await room.EndAsync(CancellationToken.None).ConfigureAwait(false));
        var end = live.Saved.PlannedEnd < now ? live.Saved.PlannedEnd : now;
        var health = LessonRecords.Health(live, stats, end);
        var record = records.Finished(live, health, end, reason, stats, LessonRecords.Playback(live, played), new LessonLink(sent, played?.LinkFigures));
        state.Live = null;
        state.LastEndedAt = now;
        LogEnded(record.Id, reason ?? "the stream never started", record.Status, health.SecondsStreamed, health.UptimePercent, health.Restarts);
        reporter.Finished(record);
        return record;
    }

    /// <summary>After a restart: a lesson still in its window resumes (the gap recorded); one whose window passed is closed.</summary>
    public async Task ResumeAsync(LessonState state, LiveLesson saved)
    {
        var now = time.GetUtcNow();
        var gap = new LessonGap(saved.LastAliveAt, now < saved.PlannedEnd ? now : saved.PlannedEnd);
        var resumed = saved with { Gaps = [.. saved.Gaps, gap], LastAliveAt = now };
        var live = new LiveRun(resumed, saved.Booking is { } b ? LessonRecords.StreamName(b) : LessonRecords.AdhocStreamName(saved.Id));
        state.Live = live;
        if (now >= saved.PlannedEnd)
        {
            LogEndedWhileDown(saved.Id);
            await EndAsync(state, "ended while the agent was down").ConfigureAwait(false);
            return;
        }
        LogResuming(saved.Id, gap.Seconds);
        reporter.SaveLive(live, force: true);
        room.OnAir();
        await StartStreamAsync(state, live).ConfigureAwait(false);
        await StartPlaybackAsync(live).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Lesson {Booking} ({Subject}, {Form}): preparing the room for the {Role} role")]
    private partial void LogPreparing(string booking, string subject, string form, string role);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Lesson {Lesson} ({Stream}) on air until {End:HH:mm} (started by {By})")]
    private partial void LogOnAir(string lesson, string stream, DateTimeOffset end, string by);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Lesson {Lesson} ended ({Reason}): {Status}, {Seconds} s streamed ({Uptime} %), {Restarts} restart(s)")]
    private partial void LogEnded(string lesson, string reason, string status, double seconds, double uptime, int restarts);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Lesson {Lesson} ended while the agent was down; closing its record")]
    private partial void LogEndedWhileDown(string lesson);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Resuming lesson {Lesson} after a {Gap:0} s gap")]
    private partial void LogResuming(string lesson, double gap);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Lesson {Booking} missed: {Reason}")]
    private partial void LogMissed(string booking, string reason);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "Lesson {Booking}: one-way (sends and records only): {Reason}")]
    private partial void LogOneWay(string booking, string reason);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Error, Message = "Lesson {Booking}: the partner cannot be played ({Reason}); the lesson sends and records")]
    private partial void LogPlayFailed(string booking, string reason);
}
