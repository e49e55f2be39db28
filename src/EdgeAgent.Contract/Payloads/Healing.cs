using System.Text.Json.Serialization;

namespace EdgeAgent.Contract.Payloads;

/// <summary>
/// The playbooks a room heals itself by (<c>edgeagent.playbooks/1</c>): the built-in default, a file named by
/// <c>playbooks.file</c>, or the office's retained <c>config/playbooks</c>. Each playbook has a trigger, conditions,
/// ordered actions and limits. The agent validates the document whole (every problem named) before it replaces the
/// playbooks in force.
/// </summary>
public sealed record PlaybooksDocument(string Schema, string Id, string Version, IReadOnlyList<PlaybookDocument> Playbooks)
{
    public const string SchemaId = "edgeagent.playbooks/1";
}

/// <summary>One playbook: when <see cref="Trigger"/> holds and <see cref="When"/> allows, run <see cref="Actions"/> in order within <see cref="Limits"/>.</summary>
public sealed record PlaybookDocument(
    string Id,
    [property: JsonPropertyName("title_zh")] string? TitleZh,
    PlaybookTrigger Trigger, PlaybookConditions? When, IReadOnlyList<PlaybookAction> Actions, PlaybookLimits? Limits);

/// <summary>
/// A trigger word (<c>HealTriggers</c>), on the devices named or of the kinds named (neither: every device it can concern);
/// <see cref="ForSeconds"/>: how long a trigger on the room must hold before the playbook acts (default 5).
/// </summary>
public sealed record PlaybookTrigger(string On, IReadOnlyList<string>? Devices, IReadOnlyList<string>? Kinds, int? ForSeconds = null);

/// <summary>Lesson phases and room roles the playbook runs in, and the school-time hours ("07:00".."18:30"); absent: any.</summary>
public sealed record PlaybookConditions(IReadOnlyList<string>? Phases, IReadOnlyList<string>? Roles, string? From, string? Until);

/// <summary>An action word (<c>HealActions</c>); a power cycle keeps the mains off <see cref="OffSeconds"/> and waits up to <see cref="BootSeconds"/> for an answer.</summary>
public sealed record PlaybookAction(string Do, int? OffSeconds = null, int? BootSeconds = null);

/// <summary>
/// At most <see cref="Attempts"/> attempts on one device within <see cref="CoolDownSeconds"/> (absent: no limit, allowed only
/// when nothing the playbook does can set it off again); <see cref="WaitSeconds"/> between attempts; never in the phases of
/// <see cref="NeverIn"/>. An exhausted playbook raises <c>heal-failed</c> and leaves the device alone until the cool-down
/// has passed since its last attempt.
/// </summary>
public sealed record PlaybookLimits(int? Attempts, int? WaitSeconds, int? CoolDownSeconds, IReadOnlyList<string>? NeverIn);

/// <summary>One heal attempt as an event carries it (<c>heal</c>, <c>heal-failed</c>).</summary>
public sealed record HealReport(string Playbook, string Trigger, string? Device, IReadOnlyList<string> Actions, string Outcome, int Attempt, double? RecoverSeconds);

/// <summary>
/// A fault healed or fought during a lesson, in its record: when it was seen and when the trigger was gone; the lesson
/// seconds it cost (seen to healed) and the ones it saved (healed to the planned end: nobody is in a rural room to fix it).
/// </summary>
public sealed record LessonHeal(
    string Playbook, string Trigger, string? Device, DateTimeOffset DetectedAt, DateTimeOffset? RecoveredAt, int Attempts, string Outcome,
    double SecondsLost, double SecondsSaved);
