namespace EdgeAgent.Contract.Vocabulary;

/// <summary>Where a room stands in a rollout (<c>update</c>'s <c>state</c>).</summary>
public static class UpdateStates
{
    /// <summary>No policy, or no ring for this room: nothing to do.</summary>
    public const string None = "none";
    /// <summary>The room runs its ring's version.</summary>
    public const string Current = "current";
    /// <summary>Its ring wants another version; the detail says what it waits for (the window, a lesson, the spread).</summary>
    public const string Waiting = "waiting";
    /// <summary>Asked of the root updater; the agent stops when the install begins.</summary>
    public const string Requested = "requested";
    /// <summary>The ring is halted by the office: nothing is installed.</summary>
    public const string Halted = "halted";
    /// <summary>The last try for this target failed (refused, or rolled back); not tried again until the target changes.</summary>
    public const string Failed = "failed";

    public static readonly string[] All = [None, Current, Waiting, Requested, Halted, Failed];
}

/// <summary>What the root updater did (<c>UpdateResult.Outcome</c>).</summary>
public static class UpdateOutcomes
{
    public const string Installed = "installed";
    public const string RolledBack = "rolled-back";
    public const string Refused = "refused";

    public static readonly string[] All = [Installed, RolledBack, Refused];
}
