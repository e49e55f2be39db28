using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Media.Play;
using EdgeAgent.Media.Send;

namespace EdgeAgent.Lessons;

/// <summary>A lesson in progress, saved so that an agent restarted in the middle of it resumes it.</summary>
public sealed record LiveLesson(
    string Id, Booking? Booking, DateTimeOffset? PlannedStart, DateTimeOffset PlannedEnd, DateTimeOffset ActualStart, DateTimeOffset LastAliveAt,
    IReadOnlyList<LessonGap> Gaps, IReadOnlyList<string> DevicesFailed, string StartedBy, LessonStreamHealth Earlier,
    LessonPlaybackHealth? PlaybackEarlier = null, IReadOnlyList<LessonHeal>? Heals = null);

/// <summary>The lesson on air now: what is saved of it, its stream, and what the runner has seen of the stream.</summary>
public sealed class LiveRun(LiveLesson saved, string streamName)
{
    public LiveLesson Saved { get; set; } = saved;
    public string StreamName { get; } = streamName;
    public StreamSupervisor? Stream { get; set; }
    /// <summary>The partner's playback in a two-way lesson (null: one-way, or it could not start: <see cref="PlayError"/>).</summary>
    public PartnerPlayer? Player { get; set; }
    public string? PlayError { get; set; }
    /// <summary>Whether this lesson plays a partner (a booking with a partner, and a partner URL configured).</summary>
    public bool TwoWay { get; set; }
    /// <summary>When the runner first saw the stream make progress.</summary>
    public DateTimeOffset? RunningAt { get; set; }
    public string? StartError { get; set; }
}

/// <summary>
/// What the room is doing now, as the lesson loop knows it: the planner reads it, the executor changes it, the reporter
/// saves and shows it. Only the runner's loop touches it.
/// </summary>
public sealed class LessonState(DateTimeOffset startedAt)
{
    /// <summary>When this agent's lesson loop started: a window that began earlier passed while the agent was not running.</summary>
    public DateTimeOffset StartedAt { get; } = startedAt;
    public LiveRun? Live { get; set; }
    /// <summary>Bookings whose room was prepared, with what failed on the way.</summary>
    public Dictionary<string, IReadOnlyList<DeviceProblem>> Prepared { get; } = new(StringComparer.Ordinal);
    /// <summary>The lesson the room is prepared for and that has not started yet (the <c>prepare</c> phase); cleared when it starts or is missed.</summary>
    public (PlannedLesson Plan, bool TwoWay)? Preparing { get; set; }
    /// <summary>When the last lesson ended, while its display is still on; cleared when the display goes off or a lesson is prepared.</summary>
    public DateTimeOffset? LastEndedAt { get; set; }
    /// <summary>The school date the clash events were last raised for, and which.</summary>
    public DateOnly? ClashDay { get; set; }
    public HashSet<string> ClashesRaised { get; } = new(StringComparer.Ordinal);
    /// <summary>What the room wants of its devices now (the desired state the playbooks heal towards).</summary>
    public RoomIntent Intent(DateTimeOffset now, RoomRole ownRole)
    {
        if (Live is { } live)
            return new RoomIntent(LessonPhases.Live, live.Saved.Booking?.Role ?? ownRole, live.TwoWay, live.Saved.Id, live.Saved.PlannedEnd);
        if (Preparing is { } p && now < p.Plan.End) return new RoomIntent(LessonPhases.Prepare, p.Plan.Booking.Role, p.TwoWay, null, p.Plan.End);
        return RoomIntent.Idle(ownRole);
    }

    /// <summary>Wakes the loop (a stream started or failed).</summary>
    public Action Wake { get; set; } = () => { };
}

/// <summary>
/// What the room wants of its devices: idle (nothing), prepared for a lesson (displays on the lesson input, cameras on
/// the role's preset), or live (also the microphones live). Read by the playbooks; kept by the lesson loop alone.
/// </summary>
public sealed record RoomIntent(string Phase, RoomRole Role, bool TwoWay, string? LessonId, DateTimeOffset? PlannedEnd)
{
    public static RoomIntent Idle(RoomRole role) => new(LessonPhases.Idle, role, false, null, null);
}
