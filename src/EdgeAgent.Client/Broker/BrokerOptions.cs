using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Client.Broker;

/// <summary>
/// The <c>broker</c> section of a configuration: the agent's, and edgeagent-ctl's and the office's files of the same
/// shape. Validated by the agent's configuration validator; ctl and the office check what they use.
/// </summary>
public sealed class BrokerOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    /// <summary>Defaults to "edgeagent-{region}-{school}-{room}" (unique in the fleet; two agents with one id would push each other off).</summary>
    public string? ClientId { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
    public TlsOptions Tls { get; set; } = new();
    /// <summary>"5.0" (default) or "3.1.1" for brokers that speak only the older protocol.</summary>
    public BrokerProtocol Protocol { get; set; } = BrokerProtocol.V500;
    public int HeartbeatSeconds { get; set; } = 300;
    /// <summary>How long the broker keeps this agent's session (subscriptions, queued commands) while it is away.</summary>
    public int SessionExpirySeconds { get; set; } = 3600;
    /// <summary>Events kept in the outbox while the broker is away; older events are dropped first (counted). Lesson records and compliance reports are never dropped.</summary>
    public int OutboxMaxEvents { get; set; } = 10_000;
    public int KeepAliveSeconds { get; set; } = 30;
    /// <summary>Upper bound of the reconnect backoff.</summary>
    public int ReconnectMaxSeconds { get; set; } = 120;

    public bool IsV5 => Protocol == BrokerProtocol.V500;
}

public sealed class TlsOptions
{
    public bool Enabled { get; set; }
    public string? CaFile { get; set; }
    public string? CertFile { get; set; }
    public string? KeyFile { get; set; }
}
