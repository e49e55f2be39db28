namespace EdgeAgent.Contract.Commands;

/// <summary>
/// The allow-list: every command a room's agent answers on <c>cmd/{name}</c>, written once. The agent's router
/// registers exactly these (a handler per command) and <c>edgeagent-ctl diag</c> offers exactly these.
/// </summary>
public static class AgentCommands
{
    private static readonly TimeSpan Seconds10 = TimeSpan.FromSeconds(10);

    public static readonly CommandSpec Ping = new("ping", "version, uptime, queue figures, managed memory", TimeSpan.FromSeconds(5), [], RateLimited: false);

    public static readonly CommandSpec Health = new("health", "a fresh poll of every device", TimeSpan.FromSeconds(20), []);

    public static readonly CommandSpec Device = new("device", "one device action (the same as `edgeagent device`)", TimeSpan.FromSeconds(30),
    [
        new("device", ArgumentKind.Text, "a configured device id, e.g. cam1", Required: true),
        new("action", ArgumentKind.Text, "status, power, preset-recall, input, mute, levels, ...", Required: true, MaxLength: 32),
        new("args", ArgumentKind.List, "the action's arguments (at most 8 strings or numbers)", Max: 8),
    ]);

    public static readonly CommandSpec Snapshot = new("snapshot", "one JPEG of the room's video source", TimeSpan.FromSeconds(20),
        [new("camera", ArgumentKind.Text, "a configured camera id, main (default), or partner (what the partner display shows)")]);

    public static readonly CommandSpec Logs = new("logs", "the newest log events at or above a level", Seconds10,
    [
        new("lines", ArgumentKind.Whole, "how many (1-1000, default 100)", Min: 1, Max: 1000),
        new("level", ArgumentKind.Text, "Verbose, Debug, Information, Warning, Error or Fatal", MaxLength: 16),
    ]);

    public static readonly CommandSpec NetTest = new("net-test", "round trips and loss on the path the stream uses", TimeSpan.FromSeconds(30),
        [new("count", ArgumentKind.Whole, "how many attempts (1-20, default 5)", Min: 1, Max: 20)]);

    public static readonly CommandSpec ComplianceCheck = new("compliance-check", "every compliance probe now; the report", TimeSpan.FromSeconds(180), []);

    public static readonly CommandSpec StreamRestart = new("stream-restart", "restarts the running lesson stream", TimeSpan.FromSeconds(30), []);

    public static readonly CommandSpec LessonStart = new("lesson-start", "starts the lesson booked around now, else an ad-hoc one", TimeSpan.FromSeconds(60), []);

    public static readonly CommandSpec LessonStop = new("lesson-stop", "ends the running lesson now; its record", TimeSpan.FromSeconds(60), []);

    public static readonly CommandSpec Lessons = new("lessons", "upcoming lessons with windows and clashes, and the lesson now", Seconds10,
        [new("days", ArgumentKind.Whole, "how many days ahead (1-31, default 7)", Min: 1, Max: 31)]);

    public static readonly IReadOnlyList<CommandSpec> All =
        [Ping, Health, Device, Snapshot, Logs, NetTest, ComplianceCheck, StreamRestart, LessonStart, LessonStop, Lessons];

    public static CommandSpec? Find(string name) => All.FirstOrDefault(c => c.Name == name);

    /// <summary>Largest request the agent reads: anything bigger is answered <c>too_large</c>.</summary>
    public const int MaxPayloadBytes = 64 * 1024;
}
