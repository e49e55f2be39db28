using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAgent.Client.Broker;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Ctl.Broker;

/// <summary>
/// How edgeagent-ctl reaches the broker: the same <c>broker</c> section as the agent's configuration, from a small
/// JSON file (<c>--config</c>, <c>{"broker": {...}}</c>), overridden by flags.
/// </summary>
public sealed class CtlSettings
{
    public BrokerOptions Broker { get; set; } = new();

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public sealed record Flags(string? ConfigFile, string? Broker, string? Protocol, string? CaFile, string? CertFile, string? KeyFile, string? Username);

    /// <summary>Settings from the file (if any) and the flags; a bad file or flag is a <see cref="CtlException"/> naming it.</summary>
    public static CtlSettings Load(Flags flags)
    {
        var settings = new CtlSettings();
        if (flags.ConfigFile is { } file)
        {
            try
            {
                settings = JsonSerializer.Deserialize<CtlSettings>(File.ReadAllText(file), Json) ?? new CtlSettings();
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
            {
                throw new CtlException($"edgeagent-ctl: cannot use {file}: {e.Message}", CtlExit.Usage, e);
            }
        }
        var b = settings.Broker;
        if (flags.Broker is { } hostPort)
        {
            var colon = hostPort.LastIndexOf(':');
            if (colon > 0 && !hostPort.EndsWith(']'))
            {
                if (!int.TryParse(hostPort[(colon + 1)..], out var port) || port is < 1 or > 65535)
                    throw new CtlException($"edgeagent-ctl: --broker {hostPort}: the port must be 1-65535", CtlExit.Usage);
                b.Host = hostPort[..colon];
                b.Port = port;
            }
            else b.Host = hostPort;
        }
        if (flags.Protocol is { } p)
        {
            if (!Words.TryParse<BrokerProtocol>(p, out var protocol)) throw new CtlException($"edgeagent-ctl: --protocol must be 5.0 or 3.1.1, not {p}", CtlExit.Usage);
            b.Protocol = protocol;
        }
        if (flags.CaFile is not null) { b.Tls.Enabled = true; b.Tls.CaFile = flags.CaFile; }
        if (flags.CertFile is not null) b.Tls.CertFile = flags.CertFile;
        if (flags.KeyFile is not null) b.Tls.KeyFile = flags.KeyFile;
        if (flags.Username is not null) b.Username = flags.Username;
        b.Password ??= Environment.GetEnvironmentVariable("EDGEAGENT_CTL_PASSWORD");
        if (b.Tls.Enabled && string.IsNullOrEmpty(b.Tls.CaFile))
            throw new CtlException("edgeagent-ctl: broker.tls: a CA file is required when TLS is on (--tls-ca)", CtlExit.Usage);
        if ((b.Tls.CertFile is null) != (b.Tls.KeyFile is null))
            throw new CtlException("edgeagent-ctl: a client certificate needs its key and the key its certificate (--tls-cert with --tls-key)", CtlExit.Usage);
        return settings;
    }
}
