using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;

namespace EdgeAgent.Configuration;

/// <summary>A check of the whole configuration from a capability above this floor (the lessons' timetables, ...).</summary>
public delegate IEnumerable<ConfigError> ConfigRule(AgentOptions options);

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

    /// <param name="rules">Checks of capabilities above this floor, run after the fields are bound and valid.</param>
    public static ConfigLoadResult Load(string path, IReadOnlyList<ConfigRule>? rules = null)
    {
        string text;
        if (Directory.Exists(path)) return Failed("file", $"'{path}' is a directory, not a configuration file");
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return Failed("file", $"cannot read '{path}': there is no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Failed("file", $"cannot read '{path}': {e.Message}");
        }
        var result = Parse(text, rules);
        if (result.Options is { } options)
            ResolvePaths(options, Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/");
        return result;
    }

    public static ConfigLoadResult Parse(string text, IReadOnlyList<ConfigRule>? rules = null)
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
        var errors = new ShapeCheck(ConfigJson.Default.GetTypeInfo).Prune(root, typeof(AgentOptions)).Select(p => new ConfigError(p.Path, p.Reason)).ToList();

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
        RegisterSecrets(options);
        var reported = errors.Select(e => e.Path).ToHashSet();
        errors.AddRange(AgentOptionsValidator.Check(options).Where(e => !reported.Contains(e.Path)));
        if (errors.Count == 0)
        {
            // The uplink's placeholders name this room: filled once here (validated above).
            if (!string.IsNullOrEmpty(options.Stream.UplinkUrl))
                options.Stream.UplinkUrl = MediaUrlTemplate.Fill(options.Stream.UplinkUrl, MediaUrlTemplate.Room(options.Address));
            if (options.Recording.Upload.Target is { } target)
                options.Recording.Upload.Target = MediaUrlTemplate.Fill(target, MediaUrlTemplate.Room(options.Address));
            foreach (var rule in rules ?? []) errors.AddRange(rule(options));
        }
        return new ConfigLoadResult(errors.Count == 0 ? options : null, errors);
    }

    private static ConfigLoadResult Failed(string path, string reason) => new(null, [new ConfigError(path, reason)]);

    /// <summary>Every secret the configuration holds, for <see cref="Redaction"/>: from here on it is masked wherever it would appear.</summary>
    private static void RegisterSecrets(AgentOptions o)
    {
        Redaction.AddSecret(o.Broker.Password);
        foreach (var d in o.Devices) Redaction.AddSecret(d?.Password);
        Redaction.AddSecretsOf(o.Stream.UplinkUrl);
        Redaction.AddSecretsOf(o.Stream.PartnerUrl);
        Redaction.AddSecretsOf(o.Stream.VideoInput);
    }

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
