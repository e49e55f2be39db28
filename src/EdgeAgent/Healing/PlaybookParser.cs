using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Healing;

/// <summary>
/// Checks a playbooks document (<c>schemas/edgeagent.playbooks.v1.json</c>) whole against this room and lists every
/// problem: unknown keys and words, devices the room does not have, a power cycle on a device without a relay, limits out
/// of range, and playbooks that could set themselves off for ever — an action that can raise the playbook's own trigger,
/// directly or through other playbooks, with no attempt limit anywhere on the way.
/// </summary>
public static class PlaybookParser
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static PlaybookSet? Parse(string json, RoomDevices room, out List<string> errors)
    {
        errors = [];
        var problems = errors;
        void Fail(string path, string message) => problems.Add($"{path}: {message}");
        JsonObject root;
        PlaybooksDocument? document;
        try
        {
            root = JsonNode.Parse(json, documentOptions: Lenient) as JsonObject ?? throw new JsonException("the document is not a JSON object");
            Unknown(root, "playbooks", ["schema", "id", "version", "playbooks"], Fail);
            if (root["playbooks"] is JsonArray list)
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is not JsonObject p) continue;
                    var path = $"playbooks[{i}]";
                    Unknown(p, path, ["id", "title_zh", "trigger", "when", "actions", "limits"], Fail);
                    if (p["trigger"] is JsonObject t) Unknown(t, $"{path}.trigger", ["on", "devices", "kinds", "forSeconds"], Fail);
                    if (p["when"] is JsonObject w) Unknown(w, $"{path}.when", ["phases", "roles", "from", "until"], Fail);
                    if (p["limits"] is JsonObject l) Unknown(l, $"{path}.limits", ["attempts", "waitSeconds", "coolDownSeconds", "neverIn"], Fail);
                    if (p["actions"] is JsonArray actions)
                        for (var k = 0; k < actions.Count; k++)
                            if (actions[k] is JsonObject a) Unknown(a, $"{path}.actions[{k}]", ["do", "offSeconds", "bootSeconds"], Fail);
                }
            document = root.Deserialize(ContractJson.Default.PlaybooksDocument);
        }
        catch (JsonException e)
        {
            errors.Add($"not a playbooks document: {e.Message}");
            return null;
        }
        if (document is null)
        {
            errors.Add("not a playbooks document: empty");
            return null;
        }

        if (document.Schema != PlaybooksDocument.SchemaId) Fail("playbooks.schema", $"must be \"{PlaybooksDocument.SchemaId}\"");
        if (string.IsNullOrWhiteSpace(document.Id)) Fail("playbooks.id", "is required");
        if (string.IsNullOrWhiteSpace(document.Version)) Fail("playbooks.version", "is required");
        if (document.Playbooks is not { Count: > 0 })
        {
            Fail("playbooks.playbooks", "needs at least one playbook");
            return null;
        }

        var books = new List<Playbook>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < document.Playbooks.Count; i++)
        {
            var p = document.Playbooks[i];
            var path = string.IsNullOrEmpty(p?.Id) ? $"playbooks[{i}]" : $"playbooks[{i}] ({p.Id})";
            if (p is null)
            {
                Fail(path, "must be an object");
                continue;
            }
            if (string.IsNullOrWhiteSpace(p.Id)) Fail($"{path}.id", "is required");
            else if (!ids.Add(p.Id)) Fail($"{path}.id", $"'{p.Id}' appears twice");
            if (Check(p, path, room, Fail) is { } book) books.Add(book);
        }
        if (errors.Count == 0) Loops(books, room, Fail);
        return errors.Count == 0 ? new PlaybookSet(document.Id, document.Version, books, json) : null;
    }

    private static Playbook? Check(PlaybookDocument p, string path, RoomDevices room, Action<string, string> fail)
    {
        var ok = true;
        void Fail(string where, string message)
        {
            ok = false;
            fail(where, message);
        }

        var trigger = p.Trigger?.On ?? "";
        if (p.Trigger is null) Fail($"{path}.trigger", "is required");
        else if (!HealTriggers.All.Contains(trigger)) Fail($"{path}.trigger.on", $"'{trigger}' is not a trigger ({string.Join(", ", HealTriggers.All)})");
        var only = HealTriggers.KindOf(trigger);
        var onRoom = HealTriggers.OnRoom(trigger);
        if (onRoom && (p.Trigger?.Devices is not null || p.Trigger?.Kinds is not null))
            Fail($"{path}.trigger", $"'{trigger}' concerns the room, not devices: leave out devices and kinds");
        if (p.Trigger?.ForSeconds is { } hold)
        {
            if (!onRoom) Fail($"{path}.trigger.forSeconds", $"only a trigger on the room waits ('{trigger}' is seen at a device's poll)");
            else if (hold is < 0 or > 600) Fail($"{path}.trigger.forSeconds", "must be 0..600");
        }

        HashSet<string>? devices = null;
        if (p.Trigger?.Devices is { } named)
        {
            devices = new HashSet<string>(StringComparer.Ordinal);
            foreach (var d in named)
            {
                if (!room.Kinds.TryGetValue(d, out var kind)) Fail($"{path}.trigger.devices", $"'{d}' is not a device of this room ({string.Join(", ", room.Kinds.Keys)})");
                else if (only is { } k && kind != k) Fail($"{path}.trigger.devices", $"'{d}' is a {Words.Of(kind)}; '{trigger}' concerns a {Words.Of(k)}");
                devices.Add(d);
            }
            if (named.Count == 0) Fail($"{path}.trigger.devices", "names no device (leave it out for every device)");
        }
        HashSet<DeviceKind>? kinds = null;
        if (p.Trigger?.Kinds is { } kindWords)
        {
            kinds = [];
            foreach (var w in kindWords)
            {
                if (!Words.TryParse<DeviceKind>(w, out var kind)) Fail($"{path}.trigger.kinds", $"'{w}' is not a device kind ({string.Join(", ", Words.All<DeviceKind>())})");
                else if (only is { } k && kind != k) Fail($"{path}.trigger.kinds", $"'{trigger}' concerns a {Words.Of(k)}, not a {w}");
                else kinds.Add(kind);
            }
        }

        var phases = Phrases(p.When?.Phases, $"{path}.when.phases", Fail);
        var never = Phrases(p.Limits?.NeverIn, $"{path}.limits.neverIn", Fail) ?? new HashSet<string>(StringComparer.Ordinal);
        HashSet<RoomRole>? roles = null;
        if (p.When?.Roles is { } roleWords)
        {
            roles = [];
            foreach (var w in roleWords)
                if (Words.TryParse<RoomRole>(w, out var role)) roles.Add(role);
                else Fail($"{path}.when.roles", $"'{w}' is not a room role ({string.Join(", ", Words.All<RoomRole>())})");
        }
        var from = Time(p.When?.From, $"{path}.when.from", Fail);
        var until = Time(p.When?.Until, $"{path}.when.until", Fail);
        if (from is { } f && until is { } u && f >= u) Fail($"{path}.when", $"from {p.When!.From} is not before until {p.When.Until}");

        if (p.Actions is not { Count: > 0 }) Fail($"{path}.actions", "needs at least one action");
        for (var k = 0; k < (p.Actions?.Count ?? 0); k++)
        {
            var a = p.Actions![k];
            var where = $"{path}.actions[{k}]";
            if (a is null || !HealActions.All.Contains(a.Do))
            {
                Fail($"{where}.do", $"'{a?.Do}' is not an action ({string.Join(", ", HealActions.All)})");
                continue;
            }
            if (a.Do != HealActions.Notify && HealActions.OnRoom(a.Do) != onRoom && HealTriggers.All.Contains(trigger))
                Fail($"{where}.do", onRoom ? $"'{a.Do}' works on a device; '{trigger}' concerns the room" : $"'{a.Do}' works on the room; '{trigger}' concerns a device");
            if (a.Do == HealActions.PowerCycle)
            {
                if (a.OffSeconds is { } off && off is < 1 or > 600) Fail($"{where}.offSeconds", "must be 1..600");
                if (a.BootSeconds is { } boot && boot is < 1 or > 900) Fail($"{where}.bootSeconds", "must be 1..900");
                foreach (var d in devices ?? [])
                    if (room.Kinds.TryGetValue(d, out var kind) && !room.Relayed.Contains(d) && kind != DeviceKind.Display)
                        Fail($"{where}.do", $"power-cycle: '{d}' has no mains relay (gpio.powerRelays.{d})");
            }
            else if (a.OffSeconds is not null || a.BootSeconds is not null) Fail(where, "offSeconds and bootSeconds belong to power-cycle");
        }

        if (p.Limits?.Attempts is { } attempts && attempts is < 1 or > 100) Fail($"{path}.limits.attempts", "must be 1..100");
        if (p.Limits?.WaitSeconds is { } wait && wait is < 0 or > 3600) Fail($"{path}.limits.waitSeconds", "must be 0..3600");
        if (p.Limits?.CoolDownSeconds is { } cool && cool is < 0 or > 7 * 86400) Fail($"{path}.limits.coolDownSeconds", "must be 0..604800");
        if (phases is not null && phases.All(never.Contains)) Fail($"{path}.limits.neverIn", "leaves no phase to run in");

        return ok
            ? new Playbook(p.Id, p.TitleZh, trigger, devices, kinds, phases, roles, from, until, p.Actions!, p.Limits?.Attempts,
                p.Limits?.WaitSeconds is { } w2 ? TimeSpan.FromSeconds(w2) : Playbook.DefaultWait,
                p.Limits?.CoolDownSeconds is { } c2 ? TimeSpan.FromSeconds(c2) : Playbook.DefaultCoolDown, never,
                p.Trigger?.ForSeconds is { } f2 ? TimeSpan.FromSeconds(f2) : Playbook.DefaultHoldFor)
            : null;
    }

    /// <summary>
    /// A playbook may set off a playbook (itself included) when one of its actions can raise that one's trigger on a device
    /// both concern. A cycle of such steps where no playbook limits its attempts would run for ever: rejected.
    /// </summary>
    private static void Loops(List<Playbook> books, RoomDevices room, Action<string, string> fail)
    {
        bool Share(Playbook a, Playbook b, out DeviceKind? kind)
        {
            if (a.OnRoom || b.OnRoom)
            {
                kind = null;
                return a.OnRoom && b.OnRoom;
            }
            foreach (var (id, k) in room.Kinds)
                if (a.Concerns(id, k) && b.Concerns(id, k))
                {
                    kind = k;
                    return true;
                }
            // A room without such a device: judged on the kinds alone, so that a default set is checked anywhere.
            foreach (var k in Enum.GetValues<DeviceKind>())
                if (room.Kinds.Count == 0 && a.Concerns("", k) && b.Concerns("", k))
                {
                    kind = k;
                    return true;
                }
            kind = null;
            return false;
        }

        var sets = books.ToDictionary(b => b.Id, b => new List<Playbook>());
        foreach (var a in books)
            foreach (var b in books)
                if (Share(a, b, out var kind) && a.Actions.Any(x => HealActions.Causes(x.Do, kind).Contains(b.Trigger)))
                    sets[a.Id].Add(b);

        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in books.Where(b => b.Attempts is null))
        {
            // Walk only through playbooks without an attempt limit: a limited one breaks the loop.
            var path = new List<Playbook> { start };
            if (Cycle(start, start, sets, path, []) && reported.Add(start.Id))
            {
                var steps = path.Select((from, i) =>
                {
                    var to = path[(i + 1) % path.Count];
                    var action = from.Actions.First(a => HealActions.Causes(a.Do, null).Contains(to.Trigger)).Do;
                    return $"{from.Id}'s {action} sets off {to.Id} ({to.Trigger})";
                });
                fail($"playbooks ({start.Id})", $"could loop without end: {string.Join(", then ", steps)}; set limits.attempts");
            }
        }
    }

    private static bool Cycle(Playbook start, Playbook at, Dictionary<string, List<Playbook>> sets, List<Playbook> path, HashSet<string> seen)
    {
        foreach (var next in sets[at.Id].Where(n => n.Attempts is null))
        {
            if (next.Id == start.Id) return true;
            if (!seen.Add(next.Id)) continue;
            path.Add(next);
            if (Cycle(start, next, sets, path, seen)) return true;
            path.RemoveAt(path.Count - 1);
        }
        return false;
    }

    private static HashSet<string>? Phrases(IReadOnlyList<string>? words, string path, Action<string, string> fail)
    {
        if (words is null) return null;
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in words)
            if (LessonPhases.All.Contains(w)) set.Add(w);
            else fail(path, $"'{w}' is not a lesson phase ({string.Join(", ", LessonPhases.All)})");
        return set;
    }

    private static TimeOnly? Time(string? text, string path, Action<string, string> fail)
    {
        if (text is null) return null;
        if (TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t;
        fail(path, $"'{text}' is not a school time such as 07:30");
        return null;
    }

    private static void Unknown(JsonObject o, string path, string[] known, Action<string, string> fail)
    {
        foreach (var (key, _) in o)
            if (!known.Contains(key)) fail($"{path}.{key}", "unknown key");
    }
}
