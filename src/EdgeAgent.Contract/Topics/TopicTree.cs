using System.Text.RegularExpressions;

namespace EdgeAgent.Contract.Topics;

/// <summary>
/// The fleet's MQTT topic tree, <c>edu/{region}/{school}/{room}/edgeagent/{suffix}</c>: built and parsed here and
/// nowhere else. Rooms are named by codes (<see cref="IsCode"/>) so that a code can never add a level or a wildcard.
/// </summary>
public static partial class TopicTree
{
    /// <summary>A region, school or room code: 1-64 characters of A-Z a-z 0-9 _ . - (one topic level, no wildcard).</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex Code();

    public static bool IsCode(string? text) => text is not null && Code().IsMatch(text);

    /// <summary>The root of one room, or with <c>+</c> in any place a filter over many.</summary>
    public static string Root(string region, string school, string room) => $"edu/{region}/{school}/{room}/edgeagent";

    /// <summary>A subscription filter over the fleet (or a region, or a school) for one suffix, e.g. <c>edu/+/+/+/edgeagent/lessons</c>.</summary>
    public static string Filter(string suffix, string? region = null, string? school = null, string? room = null) =>
        $"{Root(region ?? "+", school ?? "+", room ?? "+")}/{suffix}";

    /// <summary>The room of a topic under the tree and the suffix after its root; null for any other topic.</summary>
    public static (RoomAddress Room, string Suffix)? Parse(string topic)
    {
        var parts = topic.Split('/');
        if (parts.Length < 6 || parts[0] != "edu" || parts[4] != "edgeagent") return null;
        if (!IsCode(parts[1]) || !IsCode(parts[2]) || !IsCode(parts[3])) return null;
        return (new RoomAddress(parts[1], parts[2], parts[3]), string.Join('/', parts[5..]));
    }
}

/// <summary>The suffixes under a room's root (README, MQTT contract).</summary>
public static class Suffix
{
    public const string State = "state";
    public const string Health = "health";
    public const string Events = "events";
    public const string Lessons = "lessons";
    public const string Tallies = "tallies";
    public const string Compliance = "compliance";
    public const string CommandPrefix = "cmd/";
    public const string ReplyPrefix = "reply/";
    public const string ConfigPrefix = "config/";
    public const string ConfigPolicy = "config/policy";
    public const string ConfigTimetable = "config/timetable";
    public const string ConfigPlaybooks = "config/playbooks";
    public const string ConfigUpdate = "config/update";
    public const string Update = "update";

    /// <summary>The retained documents a room keeps on the broker: what `rooms` and the console read.</summary>
    public static readonly string[] Retained = [State, Health, Compliance, Tallies, Update];

    /// <summary>The documents the office stores, once each by id.</summary>
    public static readonly string[] Collected = [Lessons, Events, Compliance];

    public static string Command(string name) => CommandPrefix + name;
    public static string Reply(string requester) => ReplyPrefix + requester;
}

/// <summary>A room as technicians name it: <c>region/school/room</c>, e.g. <c>zj-jinhua/lanxi-wuxi-ps/room-301</c>.</summary>
public sealed record RoomAddress(string Region, string School, string Room)
{
    public string Root => TopicTree.Root(Region, School, Room);

    public string Topic(string suffix) => $"{Root}/{suffix}";

    public override string ToString() => $"{Region}/{School}/{Room}";

    /// <summary>Parses <c>region/school/room</c>; null (with the reason) when it is not three codes.</summary>
    public static RoomAddress? TryParse(string text, out string? problem)
    {
        var parts = text.Trim().Trim('/').Split('/');
        if (parts.Length != 3 || !parts.All(TopicTree.IsCode))
        {
            problem = $"'{text}' is not a room: write region/school/room, each 1-64 characters of A-Z a-z 0-9 _ . -";
            return null;
        }
        problem = null;
        return new RoomAddress(parts[0], parts[1], parts[2]);
    }
}

/// <summary>The topics of one room, as its agent uses them.</summary>
public sealed class RoomTopics(RoomAddress room)
{
    public RoomAddress Room { get; } = room;
    public string Root => Room.Root;
    public string State => Room.Topic(Suffix.State);
    public string Health => Room.Topic(Suffix.Health);
    public string Events => Room.Topic(Suffix.Events);
    public string Lessons => Room.Topic(Suffix.Lessons);
    public string Compliance => Room.Topic(Suffix.Compliance);
    public string Tallies => Room.Topic(Suffix.Tallies);
    public string Update => Room.Topic(Suffix.Update);
    public string CommandFilter => Room.Topic(Suffix.CommandPrefix + "+");
    public string CommandPrefix => Room.Topic(Suffix.CommandPrefix);
    public string ConfigFilter => Room.Topic(Suffix.ConfigPrefix + "+");
    public string ConfigPrefix => Room.Topic(Suffix.ConfigPrefix);
    public string ConfigPolicy => Room.Topic(Suffix.ConfigPolicy);
    public string ConfigTimetable => Room.Topic(Suffix.ConfigTimetable);
    public string ConfigPlaybooks => Room.Topic(Suffix.ConfigPlaybooks);
    public string ConfigUpdate => Room.Topic(Suffix.ConfigUpdate);
    /// <summary>Replies may only go below this (the broker ACL lets the agent write only under its root).</summary>
    public string ReplyPrefix => Room.Topic(Suffix.ReplyPrefix);

    /// <summary>A reply topic a requester asked for: under <see cref="ReplyPrefix"/>, no wildcards, bounded.</summary>
    public bool IsAllowedReplyTopic(string? topic) =>
        topic is { Length: > 0 and <= 256 }
        && topic.StartsWith(ReplyPrefix, StringComparison.Ordinal)
        && topic.Length > ReplyPrefix.Length
        && !topic.Contains('#') && !topic.Contains('+') && !topic.Contains('\0')
        && topic.All(c => c >= ' ' && c != 0x7F);
}
