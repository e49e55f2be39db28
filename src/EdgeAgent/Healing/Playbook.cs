using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Healing;

/// <summary>
/// One playbook, checked: its trigger on the devices it concerns, the phases, roles and school-time hours it runs in,
/// its actions in order and its limits. Built only by <see cref="PlaybookParser"/>.
/// </summary>
public sealed record Playbook(
    string Id, string? TitleZh, string Trigger, IReadOnlySet<string>? Devices, IReadOnlySet<DeviceKind>? Kinds,
    IReadOnlySet<string>? Phases, IReadOnlySet<RoomRole>? Roles, TimeOnly? From, TimeOnly? Until,
    IReadOnlyList<PlaybookAction> Actions, int? Attempts, TimeSpan Wait, TimeSpan CoolDown, IReadOnlySet<string> NeverIn, TimeSpan HoldFor)
{
    public static readonly TimeSpan DefaultHoldFor = TimeSpan.FromSeconds(5);

    /// <summary>Whether the playbook is about the room's stream rather than a device.</summary>
    public bool OnRoom => HealTriggers.OnRoom(Trigger);

    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultCoolDown = TimeSpan.FromMinutes(10);

    /// <summary>Whether the trigger can concern this device (named, of a kind named, and of the kind the trigger is about).</summary>
    public bool Concerns(string deviceId, DeviceKind kind) =>
        !OnRoom
        && (HealTriggers.KindOf(Trigger) is not { } only || only == kind)
        && (Devices is null || Devices.Contains(deviceId))
        && (Kinds is null || Kinds.Contains(kind));

    /// <summary>Whether the conditions and limits let the playbook run in this phase, role and school time.</summary>
    public bool Allows(string phase, RoomRole role, TimeOnly schoolTime) =>
        !NeverIn.Contains(phase)
        && (Phases is null || Phases.Contains(phase))
        && (Roles is null || Roles.Contains(role))
        && (From is not { } from || schoolTime >= from)
        && (Until is not { } until || schoolTime < until);

    /// <summary>What the actions say in an event: "re-poll, power-cycle, resend-desired".</summary>
    public string ActionList => string.Join(", ", Actions.Select(a => a.Do));
}

/// <summary>The playbooks in force, with the document they came from.</summary>
public sealed record PlaybookSet(string Id, string Version, IReadOnlyList<Playbook> Playbooks, string Json);

/// <summary>What a playbooks document is checked against: this room's devices and which of them have a mains relay.</summary>
public sealed record RoomDevices(IReadOnlyDictionary<string, DeviceKind> Kinds, IReadOnlySet<string> Relayed);
