using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Updates;

/// <summary>Where a room stands in a rollout now, and whether it may ask for the install (<see cref="Go"/>).</summary>
public sealed record RolloutStep(string State, string? Ring, string? Target, string Detail, bool Go = false);

/// <summary>
/// The rollout's rules for one room, as a pure function of what the room knows: its ring and that ring's version, the
/// office's halt, the last try for that version, the lesson phase, the window in school time, the next lesson's
/// preparation against the margin. Never during school: a box updates only inside the window, with no lesson live or
/// being prepared, and none due within the margin. The spread across a county is the caller's (a random delay).
/// </summary>
public static class Rollout
{
    public static RolloutStep Decide(UpdatePolicy? policy, RoomAddress room, string? namedRing, string current, UpdateResult? last,
        DateTimeOffset now, string phase, DateTimeOffset? nextLessonPrepares)
    {
        if (policy is null) return new(UpdateStates.None, null, null, "no update policy from the office");
        var ring = policy.RingOf(room, namedRing);
        if (ring is null)
            return new(UpdateStates.None, namedRing, null, namedRing is null
                ? $"no ring of policy {policy.Id} takes this room"
                : $"the ring '{namedRing}' named by update.ring is not in policy {policy.Id}");
        if (ring.Version == current) return new(UpdateStates.Current, ring.Name, ring.Version, $"runs {current}, the version of ring {ring.Name}");
        if (ring.Halted) return new(UpdateStates.Halted, ring.Name, ring.Version, $"ring {ring.Name} halted by the office: stays at {current}");
        if (last is not null && last.Version == ring.Version && last.Outcome != UpdateOutcomes.Installed)
            return new(UpdateStates.Failed, ring.Name, ring.Version,
                $"{ring.Version} {last.Outcome} at {last.At}: {last.Reason}; not tried again until the office names another version");
        if (phase != LessonPhases.Idle) return new(UpdateStates.Waiting, ring.Name, ring.Version, $"a lesson is {phase}");
        var school = SchoolTime.Of(now);
        if (!policy.InWindow(school)) return new(UpdateStates.Waiting, ring.Name, ring.Version, $"outside the window {policy.WindowText} (school time)");
        if (nextLessonPrepares is { } next && next - now < policy.LessonMargin)
            return new(UpdateStates.Waiting, ring.Name, ring.Version,
                $"a lesson is prepared at {SchoolTime.Minutes(next)}, within {policy.LessonMargin.TotalMinutes:0} min");
        return new(UpdateStates.Waiting, ring.Name, ring.Version, $"{current} → {ring.Version} allowed now", Go: true);
    }
}
