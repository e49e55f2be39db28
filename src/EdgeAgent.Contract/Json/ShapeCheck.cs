using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Contract.Json;

/// <summary>One problem in a document: its path (<c>devices[1].port</c>, <c>bookings[0].role</c>) and why.</summary>
public sealed record ShapeProblem(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}

/// <summary>
/// Checks a JSON document against the shape of the type it must bind to, as the serializer's own (source-generated)
/// contract sees it, and names every problem at once: keys no property binds to (with the near miss: "did you mean
/// 'room'?"), values of the wrong kind, words outside a vocabulary, required keys that are missing. What is wrong is
/// removed (or, for a required key, replaced by a stand-in) so that the rest still binds and every other problem is
/// found in the same pass. Used for the configuration file and for the office's documents alike.
/// </summary>
/// <param name="contract">The serializer's metadata of a type, e.g. a source-generated context's <c>GetTypeInfo</c>.</param>
public sealed class ShapeCheck(Func<Type, JsonTypeInfo?> contract)
{
    /// <summary>Every problem of <paramref name="root"/> against <paramref name="type"/>; the node is pruned in place.</summary>
    public List<ShapeProblem> Prune(JsonNode root, Type type)
    {
        var errors = new List<ShapeProblem>();
        Prune(root, type, "", errors);
        return errors;
    }

    /// <summary>
    /// Walks the document against the options types, as the serializer's own (source-generated) contract sees
    /// them; reports and removes keys no property binds to and values whose JSON kind cannot bind to the
    /// property's type. Returns false when the node itself must go.
    /// </summary>
    private bool Prune(JsonNode? node, Type type, string path, List<ShapeProblem> errors)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is null)
        {
            if (underlying is not null || !type.IsValueType) return true;
            errors.Add(new ShapeProblem(path, $"must not be null (expected {Describe(type)})"));
            return false;
        }
        type = underlying ?? type;
        var kind = node.GetValueKind();
        if (Words.For(type) is { } words)
        {
            // A closed vocabulary (role, protocol, encoder ...): only its words, never a number.
            if (kind == JsonValueKind.String && words.Contains(node.GetValue<string>())) return true;
            errors.Add(new ShapeProblem(path, kind == JsonValueKind.String
                ? $"'{node.GetValue<string>()}' is not one of {string.Join(", ", words)}"
                : $"expected one of {string.Join(", ", words)}, got {(kind == JsonValueKind.Number ? $"the number {node.ToJsonString()}" : kind.ToString().ToLowerInvariant())}"));
            return false;
        }
        var ok = kind switch
        {
            JsonValueKind.String => type == typeof(string),
            JsonValueKind.True or JsonValueKind.False => type == typeof(bool),
            JsonValueKind.Number => type == typeof(int) ? node.AsValue().TryGetValue<int>(out _)
                : type == typeof(long) ? node.AsValue().TryGetValue<long>(out _)
                : type == typeof(double),
            JsonValueKind.Array => ListItemType(type) is not null,
            JsonValueKind.Object => IsOptionsClass(type) || DictionaryValueType(type) is not null,
            _ => false,
        };
        if (!ok)
        {
            var got = kind == JsonValueKind.Number ? $"the number {node.ToJsonString()}" : kind.ToString().ToLowerInvariant();
            errors.Add(new ShapeProblem(path, $"expected {Describe(type)}, got {got}"));
            return false;
        }

        if (node is JsonObject obj && IsOptionsClass(type))
        {
            var properties = BindableProperties(type);
            foreach (var required in Contract(type)!.Properties.Where(p => p.IsRequired && !obj.ContainsKey(p.Name)))
            {
                errors.Add(new ShapeProblem(Join(path, required.Name), "is required"));
                obj[required.Name] = StandIn(type, required.Name);
            }
            foreach (var (name, value) in obj.ToList())
            {
                var memberPath = Join(path, name);
                if (!properties.TryGetValue(name, out var property))
                {
                    errors.Add(new ShapeProblem(memberPath, NearMiss(name, properties.Keys)));
                    obj.Remove(name);
                }
                else if (!Prune(value, property, memberPath, errors))
                {
                    if (StandIn(type, name) is { } standIn) obj[name] = standIn;
                    else obj.Remove(name);
                }
            }
        }
        else if (node is JsonObject map && DictionaryValueType(type) is { } valueType)
        {
            foreach (var (name, value) in map.ToList())
                if (!Prune(value, valueType, Join(path, name), errors)) map.Remove(name);
        }
        else if (node is JsonArray array && ListItemType(type) is { } itemType)
        {
            for (var i = 0; i < array.Count; i++)
                if (!Prune(array[i], itemType, $"{path}[{i}]", errors)) array[i] = null;
        }
        return true;
    }

    /// <summary>
    /// For a required key that is missing or wrong: a value that binds (the first word of its vocabulary), so that the
    /// rest of the file is still bound and every other problem found. The result is not used: the errors stand.
    /// </summary>
    private JsonNode? StandIn(Type owner, string name) =>
        Contract(owner)!.Properties.First(p => p.Name == name) is { IsRequired: true } p
        && Words.For(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType) is [var first, ..]
            ? JsonValue.Create(first)
            : null;

    private string Describe(Type type) =>
        Words.For(type) is { } words ? $"one of {string.Join(", ", words)}"
        : type == typeof(string) ? "a string"
        : type == typeof(bool) ? "true or false"
        : type == typeof(int) || type == typeof(long) ? "a whole number"
        : type == typeof(double) ? "a number"
        : ListItemType(type) is not null ? "a list"
        : "an object";

    private JsonTypeInfo? Contract(Type type) => contract(type);

    private bool IsOptionsClass(Type type) => Contract(type)?.Kind == JsonTypeInfoKind.Object;

    /// <summary>The JSON names the deserializer binds (read-only properties such as RoomRole are not keys).</summary>
    private Dictionary<string, Type> BindableProperties(Type type) =>
        Contract(type)!.Properties.Where(p => p.Set is not null).ToDictionary(p => p.Name, p => p.PropertyType);

    private Type? ListItemType(Type type) =>
        Contract(type) is { Kind: JsonTypeInfoKind.Enumerable } list ? list.ElementType : null;

    private Type? DictionaryValueType(Type type) =>
        Contract(type) is { Kind: JsonTypeInfoKind.Dictionary } map ? map.ElementType : null;

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string NearMiss(string key, IEnumerable<string> known)
    {
        var match = known.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
                    ?? known.Where(k => Distance(k, key) <= 2).OrderBy(k => Distance(k, key)).FirstOrDefault();
        return match is null ? "unknown key" : $"unknown key (did you mean '{match}'?)";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
        return d[a.Length, b.Length];
    }

}
