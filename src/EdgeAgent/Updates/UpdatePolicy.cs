using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Topics;

namespace EdgeAgent.Updates;

/// <summary>An office's rollout policy, checked whole (<see cref="Parse"/>): rings, the window, the margin before a lesson, the spread, the health limit.</summary>
public sealed partial record UpdatePolicy(
    string Id, IReadOnlyList<UpdateRing> Rings, TimeOnly WindowFrom, TimeOnly WindowUntil, bool Weekends, TimeSpan LessonMargin, TimeSpan Spread, TimeSpan HealthLimit)
{
    public static readonly TimeSpan DefaultMargin = TimeSpan.FromMinutes(60);
    public static readonly TimeSpan DefaultSpread = TimeSpan.FromMinutes(60);
    public static readonly TimeSpan DefaultHealth = TimeSpan.FromSeconds(180);

    /// <summary>A Debian version as the office publishes the agent: digits and dots, optionally a ~ or + suffix (no epoch, no spaces).</summary>
    [GeneratedRegex(@"^[0-9]+(\.[0-9]+){1,3}([~+][0-9A-Za-z.~+]{1,40})?$")]
    public static partial Regex VersionPattern();

    [GeneratedRegex("^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    private static partial Regex Clock();

    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The ring of <paramref name="room"/>: the one <paramref name="named"/> by its configuration, else the first whose selector holds.</summary>
    public UpdateRing? RingOf(RoomAddress room, string? named)
    {
        if (named is not null) return Rings.FirstOrDefault(r => r.Name == named);
        return Rings.FirstOrDefault(r => Holds(r, room));
    }

    private static bool Holds(UpdateRing ring, RoomAddress room)
    {
        if (ring.Rooms is { Count: > 0 } rooms) return rooms.Contains(room.ToString(), StringComparer.Ordinal);
        if (ring.Region is { } region && region != room.Region) return false;
        if (ring.School is { } school && school != room.School) return false;
        return ring.Share is not { } share || Bucket(room) < share;
    }

    /// <summary>A room's place 0..99 among a share: stable across restarts and agents (SHA-256 of its address), spread evenly.</summary>
    public static int Bucket(RoomAddress room) =>
        (int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(room.ToString())), 0) % 100);

    /// <summary>Whether <paramref name="schoolTime"/> (a school-time instant) is inside the maintenance window.</summary>
    public bool InWindow(DateTimeOffset schoolTime)
    {
        if (Weekends && schoolTime.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) return true;
        var t = TimeOnly.FromDateTime(schoolTime.DateTime);
        return WindowFrom <= WindowUntil ? t >= WindowFrom && t < WindowUntil : t >= WindowFrom || t < WindowUntil;
    }

    public string WindowText => $"{WindowFrom:HH\\:mm}–{WindowUntil:HH\\:mm}{(Weekends ? " and weekends" : "")}";

    /// <summary>Checks an <c>edgeagent.update-policy/1</c> document; null with every problem named when it cannot be used.</summary>
    public static UpdatePolicy? Parse(string json, out List<string> errors)
    {
        errors = [];
        var problems = errors;
        void Fail(string path, string message) => problems.Add($"{path}: {message}");
        UpdatePolicyDocument? d;
        try
        {
            var root = JsonNode.Parse(json, documentOptions: Lenient) as JsonObject ?? throw new JsonException("the document is not a JSON object");
            foreach (var p in new ShapeCheck(ContractJson.Default.GetTypeInfo).Prune(root, typeof(UpdatePolicyDocument))) Fail(p.Path.Length == 0 ? "update" : "update." + p.Path, p.Reason);
            d = root.Deserialize(ContractJson.Default.UpdatePolicyDocument);
        }
        catch (JsonException e)
        {
            errors.Add($"not an update policy: {e.Message}");
            return null;
        }
        if (d is null || d.Window is null || d.Rings is null)
        {
            errors.Add("not an update policy: it needs schema, id, rings and window");
            return null;
        }
        if (d.Schema != UpdatePolicyDocument.SchemaId) Fail("update.schema", $"must be \"{UpdatePolicyDocument.SchemaId}\"");
        if (string.IsNullOrWhiteSpace(d.Id)) Fail("update.id", "is required");
        if (d.Rings.Count == 0) Fail("update.rings", "needs at least one ring");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < d.Rings.Count; i++)
        {
            var r = d.Rings[i];
            var at = $"update.rings[{i}]";
            if (r is null)
            {
                Fail(at, "is empty");
                continue;
            }
            if (!TopicTree.IsCode(r.Name)) Fail($"{at}.name", $"'{r.Name}' is not a ring name (1-64 characters of A-Z a-z 0-9 _ . -)");
            else if (!names.Add(r.Name)) Fail($"{at}.name", $"'{r.Name}' is named twice");
            if (r.Version is null || !VersionPattern().IsMatch(r.Version)) Fail($"{at}.version", $"'{r.Version}' is not a package version such as 1.4.2");
            if (r.Rooms is { } rooms)
            {
                if (r.Share is not null || r.Region is not null || r.School is not null) Fail(at, "names rooms, or a share of a region or school, not both");
                foreach (var room in rooms)
                    if (RoomAddress.TryParse(room ?? "", out var problem) is null) Fail($"{at}.rooms", problem!);
            }
            if (r.Share is { } share && share is < 1 or > 100) Fail($"{at}.share", "must be 1..100 (percent)");
            if (r.Region is { } region && !TopicTree.IsCode(region)) Fail($"{at}.region", $"'{region}' is not a region code");
            if (r.School is { } school && !TopicTree.IsCode(school)) Fail($"{at}.school", $"'{school}' is not a school code");
        }
        TimeOnly Time(string? text, string path)
        {
            if (text is not null && Clock().IsMatch(text)) return TimeOnly.ParseExact(text, "HH:mm", CultureInfo.InvariantCulture);
            Fail(path, $"'{text}' is not a school time HH:mm");
            return default;
        }
        var from = Time(d.Window.From, "update.window.from");
        var until = Time(d.Window.Until, "update.window.until");
        if (errors.Count == 0 && from == until) Fail("update.window", "from and until are the same time: an empty window (use weekends, or a real span)");
        if (d.LessonMarginMinutes is < 0 or > 24 * 60) Fail("update.lessonMarginMinutes", "must be 0..1440");
        if (d.SpreadMinutes is < 0 or > 24 * 60) Fail("update.spreadMinutes", "must be 0..1440");
        if (d.HealthSeconds is < 30 or > 1800) Fail("update.healthSeconds", "must be 30..1800");
        if (errors.Count > 0) return null;
        return new UpdatePolicy(d.Id, d.Rings, from, until, d.Window.Weekends,
            d.LessonMarginMinutes is { } m ? TimeSpan.FromMinutes(m) : DefaultMargin,
            d.SpreadMinutes is { } s ? TimeSpan.FromMinutes(s) : DefaultSpread,
            d.HealthSeconds is { } h ? TimeSpan.FromSeconds(h) : DefaultHealth);
    }
}
