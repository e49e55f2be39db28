using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;

namespace EdgeAgent.Client.Broker;

/// <summary>A connection to the fleet broker as the <c>broker</c> configuration section describes it, for the agent and for edgeagent-ctl alike.</summary>
public static class BrokerClient
{
    /// <summary>
    /// Server, client id, protocol (5.0 or 3.1.1), keep-alive, a 10 s connect timeout, credentials and TLS; a persistent
    /// session kept <paramref name="sessionExpirySeconds"/> by the broker, or a clean one when that is 0.
    /// </summary>
    public static MqttClientOptionsBuilder Options(BrokerOptions b, string clientId, uint sessionExpirySeconds)
    {
        var v5 = b.IsV5;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(b.Host, b.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(v5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(b.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (v5) builder.WithCleanStart(sessionExpirySeconds == 0).WithSessionExpiryInterval(sessionExpirySeconds);
        else builder.WithCleanSession(sessionExpirySeconds == 0);
        if (b.Username is not null) builder.WithCredentials(b.Username, b.Password ?? "");
        if (b.Tls.Enabled) builder.WithTlsOptions(tls => ConfigureTls(tls, b));
        return builder;
    }

    /// <summary>TLS 1.2+, the server verified against the configured CA only (the fleet has its own PKI), an optional client certificate for mutual TLS.</summary>
    private static void ConfigureTls(MqttClientTlsOptionsBuilder tls, BrokerOptions broker)
    {
        var t = broker.Tls;
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(t.CaFile!);
        tls.UseTls(true)
            .WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
            .WithTargetHost(broker.Host)
            .WithTrustChain(ca)
            .WithCertificateValidationHandler(args =>
            {
                if (args.Certificate is null) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                var ok = chain.Build(new X509Certificate2(args.Certificate));
                return ok && args.SslPolicyErrors is System.Net.Security.SslPolicyErrors.None or System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors;
            });
        if (t.CertFile is not null && t.KeyFile is not null)
        {
            using var pem = X509Certificate2.CreateFromPemFile(t.CertFile, t.KeyFile);
            // Re-import so the private key is usable by SslStream on every platform.
            tls.WithClientCertificates([X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)]);
        }
    }
}
