namespace EdgeAgent.Contract.Payloads;

/// <summary>
/// The office's rollout of a new agent (<c>edgeagent.update-policy/1</c>, retained on <c>config/update</c>): rings of rooms
/// each with the version it should run, the maintenance window in school time, how close to a lesson a box may still
/// update, how far a county's boxes spread their installs, and how long the new agent has to prove itself healthy
/// before it is rolled back. A room takes the ring its configuration names (<c>update.ring</c>), else the first ring
/// whose selector holds for it.
/// </summary>
public sealed record UpdatePolicyDocument(
    string Schema, string Id, IReadOnlyList<UpdateRing> Rings, UpdateWindow Window, int? LessonMarginMinutes = null, int? SpreadMinutes = null,
    int? HealthSeconds = null)
{
    public const string SchemaId = "edgeagent.update-policy/1";
}

/// <summary>
/// One ring: its rooms (<c>region/school/room</c>), or a share (percent, by a stable hash of the room) of a region or a
/// school, or — with no selector — every room; the version it should run; halted: no box of the ring installs anything.
/// </summary>
public sealed record UpdateRing(
    string Name, string Version, IReadOnlyList<string>? Rooms = null, int? Share = null, string? Region = null, string? School = null, bool Halted = false);

/// <summary>The maintenance window in school time ("22:00".."05:00", across midnight allowed), and whether weekends count whole.</summary>
public sealed record UpdateWindow(string From, string Until, bool Weekends = false);

/// <summary>
/// A room's update status (<c>edgeagent.update/1</c>, retained on <c>update</c>): the version it runs, the version its ring
/// wants, the state (<c>UpdateStates</c>) and why, and the last install the updater did for it.
/// </summary>
public sealed record UpdateStatus(
    string Schema, string Current, string? Target, string? Ring, string State, string Detail, UpdateResult? Last, string At)
{
    public const string SchemaId = "edgeagent.update/1";
}

/// <summary>What the root updater did with a request: <c>installed</c>, <c>rolled-back</c> or <c>refused</c>, from which version to which, when, and why.</summary>
public sealed record UpdateResult(string Outcome, string Version, string? Previous, string At, string? Reason);
