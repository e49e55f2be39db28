using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAgent.Client.Broker;

namespace EdgeAgent.Office.Configuration;

/// <summary>The office service's configuration (<c>/etc/edgeagent-office/office.json</c>; README, "The office service").</summary>
public sealed class OfficeOptions
{
    /// <summary>The fleet broker, as the agent's <c>broker</c> section describes it (the office's own user or client certificate).</summary>
    public BrokerOptions Broker { get; set; } = new();
    /// <summary>A SQLite file (a county) or a PostgreSQL connection string (a province).</summary>
    public string Database { get; set; } = "/var/lib/edgeagent-office/office.db";
    /// <summary>The service's own files: the keys that protect sign-in cookies (so a restart does not sign everyone out).</summary>
    public string StateDirectory { get; set; } = "/var/lib/edgeagent-office";
    /// <summary>Where the console listens: loopback behind the office's reverse proxy (TLS is the proxy's).</summary>
    public string Listen { get; set; } = "http://127.0.0.1:8480";
    public CollectorOptions Collector { get; set; } = new();
    /// <summary>Headless Chromium for the monthly form as PDF (Debian's chromium).</summary>
    public string Chromium { get; set; } = "/usr/bin/chromium";
    /// <summary>The mail server alerts are sent through; null: no mail (webhooks only).</summary>
    public SmtpOptions? Smtp { get; set; }

    public sealed class SmtpOptions
    {
        public string Host { get; set; } = "";
        public int Port { get; set; } = 25;
        /// <summary>The sender, e.g. "同步课堂告警 &lt;alerts@county.example&gt;".</summary>
        public string From { get; set; } = "";
        public string? Username { get; set; }
        /// <summary>Never logged; better given as EDGEAGENT_OFFICE_SMTP_PASSWORD in the unit's environment file.</summary>
        public string? Password { get; set; }
        /// <summary>none, starttls (when offered), or tls (the port speaks TLS from the start).</summary>
        public string Security { get; set; } = "starttls";
    }

    public sealed class CollectorOptions
    {
        /// <summary>This office instance's name: its MQTT session, kept across restarts.</summary>
        public string Name { get; set; } = "office";
        /// <summary>With several office instances: their shared-subscription group; null for one instance.</summary>
        public string? Share { get; set; }
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Reads and checks the file; a problem is an <see cref="OfficeConfigException"/> naming the field.</summary>
    public static OfficeOptions Load(string file)
    {
        OfficeOptions options;
        try
        {
            options = JsonSerializer.Deserialize<OfficeOptions>(File.ReadAllText(file), Json) ?? new OfficeOptions();
        }
        catch (JsonException e)
        {
            throw new OfficeConfigException(e.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "(file)", e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OfficeConfigException("(file)", $"cannot read {file}: {e.Message}");
        }
        options.Check();
        return options;
    }

    public void Check()
    {
        if (string.IsNullOrWhiteSpace(Database)) throw new OfficeConfigException("database", "is required: a SQLite file or a PostgreSQL connection string");
        if (string.IsNullOrWhiteSpace(StateDirectory) || !Path.IsPathRooted(StateDirectory)) throw new OfficeConfigException("stateDirectory", "must be an absolute path");
        if (!Uri.TryCreate(Listen, UriKind.Absolute, out var listen) || listen.Scheme is not ("http" or "https"))
            throw new OfficeConfigException("listen", $"'{Listen}' is not an http:// address with a port");
        if (string.IsNullOrWhiteSpace(Broker.Host)) throw new OfficeConfigException("broker.host", "is required");
        if (Broker.Port is < 1 or > 65535) throw new OfficeConfigException("broker.port", "must be 1-65535");
        if (Broker.Tls.Enabled && string.IsNullOrEmpty(Broker.Tls.CaFile)) throw new OfficeConfigException("broker.tls.caFile", "is required when TLS is on");
        if ((Broker.Tls.CertFile is null) != (Broker.Tls.KeyFile is null))
            throw new OfficeConfigException("broker.tls", "a client certificate needs its key and the key its certificate");
        if (string.IsNullOrWhiteSpace(Collector.Name) || Collector.Name.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_'))
            throw new OfficeConfigException("collector.name", "must be letters, digits, '-' or '_'");
        if (Smtp is { } smtp)
        {
            if (string.IsNullOrWhiteSpace(smtp.Host)) throw new OfficeConfigException("smtp.host", "is required with an smtp section");
            if (smtp.Port is < 1 or > 65535) throw new OfficeConfigException("smtp.port", "must be 1-65535");
            if (!MimeKit.MailboxAddress.TryParse(smtp.From, out _)) throw new OfficeConfigException("smtp.from", $"'{smtp.From}' is not a mail address");
            if (smtp.Security is not ("none" or "starttls" or "tls")) throw new OfficeConfigException("smtp.security", "none, starttls or tls");
            smtp.Password ??= Environment.GetEnvironmentVariable("EDGEAGENT_OFFICE_SMTP_PASSWORD");
        }
        if (Collector.Share is { } share && (share.Length == 0 || share.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')))
            throw new OfficeConfigException("collector.share", "must be letters, digits, '-' or '_'");
    }
}

/// <summary>A bad configuration: the field and what is wrong (the service exits 78).</summary>
public sealed class OfficeConfigException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;
}
