using EdgeAgent.Configuration;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Media.Play;
using EdgeAgent.Media.Send;

namespace EdgeAgent.Lessons;

/// <summary>
/// How a lesson becomes its record (<c>edgeagent.lesson/1</c>): ids, the stream's figures, what was played of the
/// partner, and the status rule — the share of the planned window the room <i>sent</i> and, in a two-way lesson, the
/// share it <i>received</i> (the partner's picture played), the smaller of the two: <c>completed</c> at
/// <c>lessons.completedPercent</c>, <c>partial</c> at <c>partialPercent</c>, else <c>failed</c>; <c>adhoc</c> without a
/// booking; <c>missed</c> for a booked period that never ran. Times are school time with their offset.
/// </summary>
public sealed class LessonRecords(AgentOptions options, BookingSource bookings)
{
    private LessonOptions Lessons => options.Lessons;

    /// <summary>The record id of a booking's lesson: stable across restarts, unique in the fleet.</summary>
    public Contract.Vocabulary.RoomRole Role => options.Role;

    public string RecordId(Booking b) => $"{options.Region}.{options.School}.{options.Room}.{b.Id}";

    /// <summary>Recording files are named by the booking id (characters a file name may not carry become '_').</summary>
    public static string StreamName(Booking b) => FileSafe(b.Id);

    private static string FileSafe(string id) => new(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());

    public static string AdhocStreamName(string id) => $"adhoc-{id[..12]}";

    /// <summary>The stream (and recording file) name a finished lesson had.</summary>
    public static string StreamNameOf(LessonRecord record) =>
        record.BookingId is { } id ? FileSafe(id) : AdhocStreamName(record.Id);

    /// <summary>The lesson's figures so far: earlier runs (before a restart) plus the current stream, on the runner's clock.</summary>
    public static LessonStreamHealth Health(LiveRun live, StreamStats? stats, DateTimeOffset end)
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

    /// <summary>
    /// What a two-way lesson received: earlier runs (before an agent restart) plus this one; the latency percentiles of
    /// the run with more frames measured. Null for a one-way lesson.
    /// </summary>
    public static LessonPlaybackHealth? Playback(LiveRun live, PlaybackStats? stats)
    {
        var earlier = live.Saved.PlaybackEarlier;
        if (!live.TwoWay && earlier is null) return null;
        var now = stats is null ? null : Latency(stats.LatencySamplesMs);
        var latency = now is null ? earlier?.LatencyMs : earlier?.LatencyMs is { } e && e.Samples > now.Samples ? e : now;
        return new LessonPlaybackHealth(
            Math.Round((earlier?.SecondsPlayed ?? 0) + (stats?.SecondsPlayed ?? 0), 1),
            (earlier?.Stalls ?? 0) + (stats?.Stalls ?? 0),
            Math.Round((earlier?.StallSeconds ?? 0) + (stats?.StallSeconds ?? 0), 1),
            Math.Round((earlier?.PartnerLostSeconds ?? 0) + (stats?.PartnerLostSeconds ?? 0), 1),
            (earlier?.DroppedFrames ?? 0) + (stats?.DroppedFrames ?? 0),
            (earlier?.PlayerRestarts ?? 0) + (stats?.PlayerRestarts ?? 0),
            latency);
    }

    /// <summary>p50, p95 and max of the samples (nearest rank), or null without any.</summary>
    public static LatencyFigures? Latency(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0) return null;
        var sorted = samples.Order().ToArray();
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencyFigures(Math.Round(Rank(0.50), 1), Math.Round(Rank(0.95), 1), Math.Round(sorted[^1], 1), sorted.Length);
    }

    /// <summary>The record of a lesson that ran (or tried to). <paramref name="reason"/> null: the stream never started.</summary>
    public LessonRecord Finished(LiveRun live, LessonStreamHealth health, DateTimeOffset end, string? reason, StreamStats? stats, LessonPlaybackHealth? playback = null,
        LessonLink? link = null)
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
        else
        {
            // What the students got: the smaller of what was sent and, two ways, what was received.
            var planned = s.PlannedStart is { } ps ? (s.PlannedEnd - ps).TotalSeconds : 0;
            var received = playback is null || planned <= 0 ? (double?)null : Math.Round(Math.Min(100, 100 * playback.SecondsPlayed / planned), 1);
            var share = received is { } r && r < health.UptimePercent ? r : health.UptimePercent;
            var what = received is { } rr && rr < health.UptimePercent
                ? $"the partner classroom's picture played {rr} % of the window ({health.UptimePercent} % sent)"
                : $"{health.UptimePercent} % of the window streamed";
            if (share >= Lessons.CompletedPercent) status = LessonStatus.Completed;
            else if (share >= Lessons.PartialPercent)
            {
                status = LessonStatus.Partial;
                why = what;
            }
            else
            {
                status = LessonStatus.Failed;
                why = $"only {what} (partial needs {Lessons.PartialPercent} %)";
            }
        }
        return new LessonRecord(LessonRecord.SchemaId, s.Id, b?.Id, options.Region, options.School, options.Room, b?.Role ?? options.Role,
            status, why, b?.Form ?? "adhoc", b?.Subject, b?.PartnerSchool, b?.PartnerRoom, b?.Teacher, b?.Class, b?.Students ?? 0,
            b?.Period, School(s.PlannedStart), s.PlannedStart is null ? null : School(s.PlannedEnd), School(s.ActualStart), School(end),
            health, s.Gaps.Select(g => new LessonGap(SchoolTime.Of(g.From), SchoolTime.Of(g.To))).ToList(), s.DevicesFailed, s.StartedBy, playback,
            link is { Send: null, Receive: null } ? null : link,
            s.Heals is { Count: > 0 } heals ? heals.Select(h => h with { DetectedAt = SchoolTime.Of(h.DetectedAt), RecoveredAt = School(h.RecoveredAt) }).ToList() : null);
    }

    /// <summary>The record of a booked period that never ran: nothing streamed, the reason why.</summary>
    public LessonRecord Missed(PlannedLesson plan, string reason)
    {
        var b = plan.Booking;
        return new LessonRecord(LessonRecord.SchemaId, RecordId(b), b.Id, options.Region, options.School, options.Room, b.Role,
            LessonStatus.Missed, reason, b.Form, b.Subject, b.PartnerSchool, b.PartnerRoom, b.Teacher, b.Class, b.Students,
            b.Period, School(plan.Start), School(plan.End), null, null, LessonStreamHealth.None, [], [], "timetable");
    }

    /// <summary>The programme tallies of the school year of <paramref name="now"/> from the stored records.</summary>
    public Tallies Tallies(IEnumerable<LessonRecord> records, DateTimeOffset now)
    {
        var zone = bookings.Current.Own?.Zone ?? SchoolTime.ChinaStandardTime;
        return TallyCalculator.Compute(records, SchoolTime.Date(now, zone), Lessons.Targets, zone, SchoolTime.Of(now, zone));
    }

    private static DateTimeOffset School(DateTimeOffset t) => SchoolTime.Of(t);

    private static DateTimeOffset? School(DateTimeOffset? t) => t is { } v ? SchoolTime.Of(v) : null;
}
