using EdgeAgent.Configuration;

namespace EdgeAgent.Telemetry;

/// <summary>The MQTT topics of one room: <c>edu/{region}/{school}/{room}/edgeagent/...</c> (see README, MQTT contract).</summary>
public sealed class Topics(AgentOptions options)
{
    public string Root { get; } = $"edu/{options.Region}/{options.School}/{options.Room}/edgeagent";

    public string State => $"{Root}/state";
    public string Health => $"{Root}/health";
    public string Events => $"{Root}/events";
    public string Lessons => $"{Root}/lessons";
    public string Compliance => $"{Root}/compliance";
    public string Tallies => $"{Root}/tallies";
    public string CommandFilter => $"{Root}/cmd/+";
    public string CommandPrefix => $"{Root}/cmd/";
    public string ConfigFilter => $"{Root}/config/+";
    public string ConfigPolicy => $"{Root}/config/policy";
    public string ConfigTimetable => $"{Root}/config/timetable";
    /// <summary>Replies may only go below this (the broker ACL lets the agent write only under its root).</summary>
    public string ReplyPrefix => $"{Root}/reply/";

    /// <summary>A reply topic a requester asked for: under <see cref="ReplyPrefix"/>, no wildcards, bounded.</summary>
    public bool IsAllowedReplyTopic(string? topic) =>
        topic is { Length: > 0 and <= 256 }
        && topic.StartsWith(ReplyPrefix, StringComparison.Ordinal)
        && topic.Length > ReplyPrefix.Length
        && !topic.Contains('#') && !topic.Contains('+') && !topic.Contains('\0')
        && topic.All(c => c >= ' ' && c != 0x7F);
}
