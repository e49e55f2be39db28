using System.Text.RegularExpressions;
using EdgeAgent.Contract.Topics;

namespace EdgeAgent.Configuration;

/// <summary>
/// A media URL with placeholders filled from codes: <c>{region}</c>, <c>{school}</c>, <c>{room}</c> (this room) and,
/// in the partner URL, <c>{partnerSchool}</c>, <c>{partnerRoom}</c> (the booking's partner). Only codes go in
/// (<see cref="TopicTree.IsCode"/>: letters, digits, <c>_ . -</c>), so a value can never end the query, add a parameter
/// or a path: a booking with anything else is rejected where it is loaded.
/// </summary>
public static partial class MediaUrlTemplate
{
    public static readonly string[] RoomPlaceholders = ["region", "school", "room"];
    public static readonly string[] PartnerPlaceholders = ["partnerSchool", "partnerRoom"];

    [GeneratedRegex(@"\{([a-z][A-Za-z]*)\}")]
    private static partial Regex Placeholder();

    /// <summary>The placeholders a template names.</summary>
    public static IReadOnlyList<string> Names(string template) => Placeholder().Matches(template).Select(m => m.Groups[1].Value).Distinct().ToList();

    /// <summary>The template with every placeholder it names filled; throws when a value is not a code or a name is unknown.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string?> values) =>
        Placeholder().Replace(template, m =>
        {
            var name = m.Groups[1].Value;
            if (!values.TryGetValue(name, out var value)) throw new ArgumentException($"{{{name}}} is not a placeholder here (known: {string.Join(", ", values.Keys.Select(k => $"{{{k}}}"))})");
            if (!TopicTree.IsCode(value)) throw new ArgumentException($"{{{name}}} would be '{value}', which is not a code (1-64 of A-Z a-z 0-9 _ . -)");
            return value!;
        });

    public static Dictionary<string, string?> Room(RoomAddress room) => new(StringComparer.Ordinal)
    {
        ["region"] = room.Region, ["school"] = room.School, ["room"] = room.Room,
    };

    /// <summary>The partner's endpoint for a booking, or null with the reason.</summary>
    public static MediaEndpoint? Partner(string template, RoomAddress room, string? partnerSchool, string? partnerRoom, out string? problem)
    {
        var values = Room(room);
        values["partnerSchool"] = partnerSchool;
        values["partnerRoom"] = partnerRoom;
        try
        {
            return MediaEndpoint.TryParse(Fill(template, values), out problem);
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
            return null;
        }
    }
}
