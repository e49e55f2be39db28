namespace EdgeAgent.Contract.Vocabulary;

/// <summary>
/// What a playbook (<c>edgeagent.playbooks/1</c>) can react to. Each word is something the agent sees for itself: a
/// device's health poll, or what its displays and microphones report against what the lesson wants of them.
/// </summary>
public static class HealTriggers
{
    /// <summary>A device does not answer its health poll.</summary>
    public const string DeviceOffline = "device-offline";
    /// <summary>A device answers with errors or broken replies.</summary>
    public const string DeviceFaulty = "device-faulty";
    /// <summary>A display the lesson wants on is off or cooling down.</summary>
    public const string DisplayOff = "display-off";
    /// <summary>A display that is on shows another input than the lesson's.</summary>
    public const string DisplayInput = "display-input";
    /// <summary>A display that is on has its picture and sound muted (PJLink AVMT).</summary>
    public const string DisplayAvMuted = "display-av-muted";
    /// <summary>The microphones are muted while the lesson wants them live.</summary>
    public const string MicsMuted = "mics-muted";
    /// <summary>
    /// The lesson stream sends nothing (its encoder down: exited, stalled, its camera's stream gone, or given up) for
    /// <c>trigger.forSeconds</c>. A trigger on the room, not on a device.
    /// </summary>
    public const string StreamDown = "stream-down";
    /// <summary>The lesson stream runs but its uplink (to the relay) is down for <c>trigger.forSeconds</c>. On the room.</summary>
    public const string UplinkLost = "uplink-lost";
    /// <summary>The partner's player gave up (it could not be kept running) in a two-way lesson. On the room.</summary>
    public const string PlayerStalled = "player-stalled";
    /// <summary>Nothing comes from the partner classroom (the slate is shown) in a two-way lesson for <c>trigger.forSeconds</c>. On the room.</summary>
    public const string PartnerMissing = "partner-missing";
    /// <summary>The recording volume has less free space than <c>recording.minFreeBytes</c>. On the room, in any phase.</summary>
    public const string DiskLow = "disk-low";
    /// <summary>The room's clock is not synchronized (the latest compliance check). On the room, in any phase.</summary>
    public const string ClockUnsynced = "clock-unsynced";

    public static readonly string[] All =
        [DeviceOffline, DeviceFaulty, DisplayOff, DisplayInput, DisplayAvMuted, MicsMuted, StreamDown, UplinkLost, PlayerStalled, PartnerMissing, DiskLow, ClockUnsynced];

    /// <summary>Whether a trigger concerns the room (its stream, its player, its disk, its clock) rather than a device.</summary>
    public static bool OnRoom(string trigger) => trigger is StreamDown or UplinkLost or PlayerStalled or PartnerMissing or DiskLow or ClockUnsynced;

    /// <summary>The triggers that concern one device kind only (the others concern any device).</summary>
    public static DeviceKind? KindOf(string trigger) => trigger switch
    {
        DisplayOff or DisplayInput or DisplayAvMuted => DeviceKind.Display,
        MicsMuted => DeviceKind.MicArray,
        _ => null,
    };
}

/// <summary>What a playbook can do, in order, on the device its trigger names.</summary>
public static class HealActions
{
    /// <summary>Poll the device again at once (a passing glitch clears here).</summary>
    public const string Repoll = "re-poll";
    /// <summary>Drop the driver's connection; the next request opens a fresh one.</summary>
    public const string Reconnect = "reconnect";
    /// <summary>Send the device what the lesson wants of it again: power and input, the role's preset, unmuted.</summary>
    public const string ResendDesired = "resend-desired";
    /// <summary>Cut the device's mains through its GPIO relay (<c>gpio.powerRelays</c>, or a display's <c>gpio.displayRelay</c>) and wait for it to answer.</summary>
    public const string PowerCycle = "power-cycle";
    /// <summary>Restart the lesson stream's encoder and uplink (as the <c>stream-restart</c> command does) and wait for it to send.</summary>
    public const string RestartStream = "restart-stream";
    /// <summary>Move the lesson stream to <c>stream.backupVideoSource</c> (the uplink and the recording go on) and wait for it to send.</summary>
    public const string SwitchSource = "switch-source";
    /// <summary>Restart the partner's player (one that gave up starts again) and wait for it to play.</summary>
    public const string RestartPlayer = "restart-player";
    /// <summary>Move the uplink one rung down the ladder now (a weak link: less to send); the ladder climbs back when the link allows.</summary>
    public const string StepDown = "step-down";
    /// <summary>An event of its own (<c>playbook-notice</c>) for the office; heals nothing by itself.</summary>
    public const string Notify = "notify";

    public static readonly string[] All = [Repoll, Reconnect, ResendDesired, PowerCycle, RestartStream, SwitchSource, RestartPlayer, StepDown, Notify];

    /// <summary>Whether an action works on the room (its stream, its player; else on the trigger's device; <see cref="Notify"/> on either).</summary>
    public static bool OnRoom(string action) => action is RestartStream or SwitchSource or RestartPlayer or StepDown;

    /// <summary>
    /// The triggers an action can set off by itself: a power cycle takes its device off the network and a display
    /// dark. A playbook whose actions can set off its own trigger (directly or through another playbook) must limit
    /// its attempts, or the document is rejected.
    /// </summary>
    public static IReadOnlyList<string> Causes(string action, DeviceKind? kind) => action switch
    {
        PowerCycle => kind switch
        {
            DeviceKind.Display => [HealTriggers.DeviceOffline, HealTriggers.DisplayOff],
            null => [HealTriggers.DeviceOffline, HealTriggers.DisplayOff],
            _ => [HealTriggers.DeviceOffline],
        },
        RestartStream or SwitchSource => [HealTriggers.StreamDown, HealTriggers.UplinkLost],
        RestartPlayer => [HealTriggers.PlayerStalled, HealTriggers.PartnerMissing],
        _ => [],
    };
}

/// <summary>Where the room is in its lesson day: what the lesson runner wants of the devices depends on it.</summary>
public static class LessonPhases
{
    /// <summary>No lesson now and none being prepared: the room wants nothing of its devices.</summary>
    public const string Idle = "idle";
    /// <summary>Prepared for a lesson that has not started: display on the lesson input, cameras on the role's preset.</summary>
    public const string Prepare = "prepare";
    /// <summary>A lesson on air: also the microphones live.</summary>
    public const string Live = "live";

    public static readonly string[] All = [Idle, Prepare, Live];
}

/// <summary>How one heal attempt ended.</summary>
public static class HealOutcomes
{
    /// <summary>The trigger is gone after the actions.</summary>
    public const string Healed = "healed";
    /// <summary>The actions ran and the trigger is still there.</summary>
    public const string NotHealed = "not-healed";

    public static readonly string[] All = [Healed, NotHealed];
}
