using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace EdgeAgent.Configuration;

/// <summary>The outcome of loading a configuration file: the options, or every problem found.</summary>
public sealed record ConfigLoadResult(AgentOptions? Options, IReadOnlyList<ConfigError> Errors)
{
    public bool Ok => Errors.Count == 0 && Options is not null;
}

/// <summary>
/// Reads the agent's JSON configuration. Reports, all at once: an unreadable file, malformed JSON (with line
/// and position), unknown keys (a typo must not silently fall back to a default), values of the wrong type,
/// and everything <see cref="AgentOptionsValidator"/> rejects. Relative directories are resolved against the
/// directory of the file so that a config shipped beside the demo works from any working directory.
/// </summary>
public static class ConfigLoader
{
    public const string DefaultPath = "/etc/edgeagent/edgeagent.json";

    public static ConfigLoadResult Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Failed("file", $"cannot read '{path}': {e.Message}");
        }
        var result = Parse(text);
        if (result.Options is { } options)
            ResolvePaths(options, Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/");
        return result;
    }

    public static ConfigLoadResult Parse(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
                MaxDepth = 32,
            });
        }
        catch (JsonException e)
        {
            return Failed("json", $"malformed JSON at line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}: {FirstSentence(e.Message)}");
        }
        if (root is not JsonObject)
            return Failed("json", "the configuration must be a JSON object");

        // Unknown keys and values of the wrong type are reported and removed, so that the rest of the file
        // can still be bound and validated: one run names every bad field, not just the first.
        var errors = new List<ConfigError>();
        Prune(root, typeof(AgentOptions), "", errors);

        AgentOptions? options;
        try
        {
            options = root.Deserialize(ConfigJson.Default.AgentOptions);
        }
        catch (JsonException e)
        {
            errors.Add(new ConfigError(TrimPath(e.Path), FirstSentence(e.Message)));
            return new ConfigLoadResult(null, errors);
        }
        if (options is null) return Failed("json", "the configuration is empty");
        var reported = errors.Select(e => e.Path).ToHashSet();
        errors.AddRange(AgentOptionsValidator.Check(options).Where(e => !reported.Contains(e.Path)));
        return new ConfigLoadResult(errors.Count == 0 ? options : null, errors);
    }

    private static ConfigLoadResult Failed(string path, string reason) => new(null, [new ConfigError(path, reason)]);

    private static void ResolvePaths(AgentOptions o, string baseDirectory)
    {
        string Resolve(string p) => Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(baseDirectory, p));
        o.StateDirectory = Resolve(o.StateDirectory);
        o.LogsDirectory = Resolve(o.LogsDirectory);
        o.Recording.Directory = Resolve(o.Recording.Directory);
        if (o.Broker.Tls.CaFile is { } ca) o.Broker.Tls.CaFile = Resolve(ca);
        if (o.Broker.Tls.CertFile is { } cert) o.Broker.Tls.CertFile = Resolve(cert);
        if (o.Broker.Tls.KeyFile is { } key) o.Broker.Tls.KeyFile = Resolve(key);
        if (o.Compliance.PolicyFile is { } policy) o.Compliance.PolicyFile = Resolve(policy);
        if (o.Lessons.Ical is { } ical && !ical.Contains("://", StringComparison.Ordinal)) o.Lessons.Ical = Resolve(ical);
    }

    /// <summary>
    /// Walks the document against the options types, as the serializer's own (source-generated) contract sees
    /// them; reports and removes keys no property binds to and values whose JSON kind cannot bind to the
    /// property's type. Returns false when the node itself must go.
    /// </summary>
    private static bool Prune(JsonNode? node, Type type, string path, List<ConfigError> errors)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is null)
        {
            if (underlying is not null || !type.IsValueType) return true;
            errors.Add(new ConfigError(path, $"must not be null (expected {Describe(type)})"));
            return false;
        }
        type = underlying ?? type;
        var kind = node.GetValueKind();
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
            errors.Add(new ConfigError(path, $"expected {Describe(type)}, got {got}"));
            return false;
        }

        if (node is JsonObject obj && IsOptionsClass(type))
        {
            var properties = BindableProperties(type);
            foreach (var (name, value) in obj.ToList())
            {
                var memberPath = Join(path, name);
                if (!properties.TryGetValue(name, out var property))
                {
                    errors.Add(new ConfigError(memberPath, NearMiss(name, properties.Keys)));
                    obj.Remove(name);
                }
                else if (!Prune(value, property, memberPath, errors))
                {
                    obj.Remove(name);
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

    private static string Describe(Type type) =>
        type == typeof(string) ? "a string"
        : type == typeof(bool) ? "true or false"
        : type == typeof(int) || type == typeof(long) ? "a whole number"
        : type == typeof(double) ? "a number"
        : ListItemType(type) is not null ? "a list"
        : "an object";

    private static JsonTypeInfo? Contract(Type type) => ConfigJson.Default.GetTypeInfo(type);

    private static bool IsOptionsClass(Type type) => Contract(type)?.Kind == JsonTypeInfoKind.Object;

    /// <summary>The JSON names the deserializer binds (read-only properties such as RoomRole are not keys).</summary>
    private static Dictionary<string, Type> BindableProperties(Type type) =>
        Contract(type)!.Properties.Where(p => p.Set is not null).ToDictionary(p => p.Name, p => p.PropertyType);

    private static Type? ListItemType(Type type) =>
        Contract(type) is { Kind: JsonTypeInfoKind.Enumerable } list ? list.ElementType : null;

    private static Type? DictionaryValueType(Type type) =>
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

    private static string TrimPath(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) ? "json" : jsonPath.TrimStart('$').TrimStart('.');

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message.TrimEnd('.');
    }
}

/// <summary>
/// The configuration's JSON contract, generated at build time (no reflection: the package ships the agent
/// compiled ahead of time). camelCase keys, comments and trailing commas allowed; case differences are unknown
/// keys, so binding is case-sensitive.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(AgentOptions))]
internal sealed partial class ConfigJson : JsonSerializerContext;
