using EdgeAgent.Configuration;
using EdgeAgent.Contract.Time;

namespace EdgeAgent.Lessons;

/// <summary>One thing the room should do now, as the planner sees it.</summary>
public abstract record LessonStep
{
    /// <summary>The live lesson's window is over (or it was stopped by hand): stop stream and room, write the record.</summary>
    public sealed record End(string? Reason) : LessonStep;
    /// <summary>Prepare the room for a booking (display, input, presets, microphones, light).</summary>
    public sealed record Prepare(PlannedLesson Plan) : LessonStep;
    /// <summary>Go on air for a booking whose window has begun.</summary>
    public sealed record Start(PlannedLesson Plan, string By) : LessonStep;
    /// <summary>A booked period whose window passed without a lesson: its <c>missed</c> record.</summary>
    public sealed record Miss(PlannedLesson Plan, string Reason) : LessonStep;
    /// <summary>The grace after the last lesson is over: display and relay off.</summary>
    public sealed record DisplayOff : LessonStep;
    /// <summary>A new school day (or new bookings): raise the clashes ahead (each once a day; again after new bookings when forced).</summary>
    public sealed record RaiseClashes(DateOnly Day, IReadOnlyList<PlannedLesson> Clashes, bool Force) : LessonStep;
}

/// <summary>
/// Compares what the timetable wants with what runs and yields the steps that bring the room there, in order, and
/// when to look again. Pure: it reads the book, the records and the state, and changes nothing. A step due now is
/// planned however late the loop looks (a start that fell due while another step ran is started at the next look;
/// a window that passed entirely becomes a <c>missed</c> record), so that every booked period of the room ends as
/// exactly one record.
/// </summary>
public sealed class LessonPlanner(AgentOptions options, BookingSource bookings, LessonStore store, LessonRecords records)
{
    /// <summary>How far back a booked period that never ran is still looked for (two weeks: how far ahead lessons are booked).</summary>
    public static readonly TimeSpan MissedLookback = TimeSpan.FromDays(14);

    /// <summary>The live lesson is saved this often, so that a restart resumes it with a short gap.</summary>
    public static readonly TimeSpan AliveInterval = TimeSpan.FromSeconds(15);

    private LessonOptions Lessons => options.Lessons;
    private TimeSpan PrepareAhead => TimeSpan.FromMinutes(Lessons.PrepareMinutes);
    private TimeSpan Overlap => TimeSpan.FromMinutes(Lessons.MinimumOverlapMinutes);

    public BookingSource Bookings => bookings;

    /// <summary>Length of a lesson started by hand with nothing booked now.</summary>
    public TimeSpan AdhocLength => TimeSpan.FromMinutes(Lessons.AdhocMinutes);

    /// <summary>The lesson that was on air when the agent last stopped, if any.</summary>
    public LiveLesson? SavedLive() => store.LoadLive();
    public LessonBook Book => bookings.Current;

    public IReadOnlyList<PlannedLesson> Upcoming(DateTimeOffset from, int days) => LessonSchedule.Upcoming(Book, from, days, PrepareAhead, Overlap);

    /// <summary>The booked lesson whose window (from its preparation on) is open now and has no record, if any.</summary>
    public PlannedLesson? Open(DateTimeOffset now, Func<string, bool> recorded) =>
        Upcoming(now, 1).FirstOrDefault(p => p.PrepareAt <= now && now < p.End && !recorded(records.RecordId(p.Booking)));

    /// <param name="recorded">Whether a record id exists (stored, or held in memory while the disk is full).</param>
    public (IReadOnlyList<LessonStep> Steps, DateTimeOffset WakeAt) Plan(DateTimeOffset now, LessonState state, Func<string, bool> recorded)
    {
        var steps = new List<LessonStep>();
        var live = state.Live;
        if (live is not null)
        {
            // Ending comes alone: what follows it (the next lesson, the display) is planned once its record is written.
            if (now >= live.Saved.PlannedEnd) return ([new LessonStep.End("scheduled end")], now);
            if (live.RunningAt is null && live.Stream?.Running.IsFaulted == true) return ([new LessonStep.End(null)], now);
        }
        var idle = live is null;

        // Windows that passed without a lesson since the lessons floor first ran here (not before the room was installed).
        var since = store.LessonsSince(now);
        var from = Max(now - MissedLookback, since);
        foreach (var p in LessonSchedule.Between(Book, from, now, PrepareAhead, Overlap).Where(p => p.End <= now))
        {
            var id = records.RecordId(p.Booking);
            if (recorded(id) || live?.Saved.Id == id || p.End <= since) continue;
            steps.Add(new LessonStep.Miss(p, MissedReason(p, state)));
        }

        if (idle)
        {
            foreach (var p in Upcoming(now, 1).Where(p => p.PrepareAt <= now && now < p.End && !recorded(records.RecordId(p.Booking))))
            {
                if (!state.Prepared.ContainsKey(p.Booking.Id)) steps.Add(new LessonStep.Prepare(p));
                if (now >= p.Start)
                {
                    steps.Add(new LessonStep.Start(p, "timetable"));
                    break;
                }
            }
        }

        if (idle && steps.Count == 0 && DisplayOffDue(state, recorded) is { } off && now >= off) steps.Add(new LessonStep.DisplayOff());
        var today = SchoolTime.Date(now, Book.Own?.Zone);
        if (state.ClashDay != today)
            steps.Add(new LessonStep.RaiseClashes(today, Upcoming(now, Lessons.ClashLookaheadDays).Where(p => p.IsClash).ToList(), Force: state.ClashDay is null));

        return (steps, steps.Count > 0 ? now : NextWake(now, state, recorded));
    }

    /// <summary>The next moment something is due, at most <see cref="AliveInterval"/> away while a lesson runs.</summary>
    private DateTimeOffset NextWake(DateTimeOffset now, LessonState state, Func<string, bool> recorded)
    {
        var candidates = new List<DateTimeOffset> { now.AddMinutes(10) };
        if (state.Live is { } live)
        {
            candidates.Add(live.Saved.PlannedEnd);
            candidates.Add(now + AliveInterval);
            if (live.RunningAt is null) candidates.Add(now.AddSeconds(1));
        }
        foreach (var p in Upcoming(now, 2))
        {
            if (recorded(records.RecordId(p.Booking))) continue;
            candidates.Add(p.PrepareAt);
            candidates.Add(p.Start);
            candidates.Add(p.End); // a window that passes unstarted becomes a missed record at its end
        }
        if (state.Live is null && DisplayOffDue(state, recorded) is { } off) candidates.Add(off);
        var zone = Book.Own?.Zone ?? SchoolTime.ChinaStandardTime;
        var local = SchoolTime.Of(now, zone);
        candidates.Add(new DateTimeOffset(local.Date.AddDays(1), local.Offset));
        return candidates.Where(c => c > now).DefaultIfEmpty(now.AddSeconds(1)).Min();
    }

    /// <summary>
    /// When the display goes off after the last lesson: <c>lessons.displayOffGraceMinutes</c> after it ended, unless the
    /// next lesson is prepared within that grace (then it stays on for it); null when nothing is to be turned off.
    /// </summary>
    private DateTimeOffset? DisplayOffDue(LessonState state, Func<string, bool> recorded)
    {
        if (state.LastEndedAt is not { } ended) return null;
        var offAt = ended + TimeSpan.FromMinutes(Lessons.DisplayOffGraceMinutes);
        var next = Upcoming(ended, 1).FirstOrDefault(p => p.PrepareAt >= ended && !recorded(records.RecordId(p.Booking)));
        return next is not null && next.PrepareAt <= offAt ? null : offAt;
    }

    /// <summary>
    /// Why a window passed without its lesson: the agent was not running then (a lesson due while the agent runs is
    /// started, late if need be), or another lesson was on air for the whole of it, or it could not be started.
    /// </summary>
    private string MissedReason(PlannedLesson p, LessonState state)
    {
        if (p.Start < state.StartedAt) return $"the agent was not running in its window ({SchoolTime.Minutes(p.Start)}–{SchoolTime.Of(p.End):HH:mm})";
        if (state.Live is { } live && live.Saved.ActualStart < p.End)
            return $"another lesson ({live.Saved.Booking?.Id ?? "ad hoc, started by " + live.Saved.StartedBy}) was on air in its window";
        var other = store.Records(p.Start.AddHours(-6), p.End)
            .FirstOrDefault(r => r.Id != records.RecordId(p.Booking) && r.ActualStart < p.End && (r.ActualEnd ?? p.End) > p.Start);
        return other is not null
            ? $"another lesson ({other.BookingId ?? other.Id}) was on air in its window"
            : "the lesson did not start in its window";
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
