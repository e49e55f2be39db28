using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Configuration;
using MQTTnet;

namespace EdgeAgent.Telemetry;

/// <summary>TLS to the fleet broker, for the agent and for edgeagent-ctl alike: TLS 1.2+, the server verified
/// against the configured CA only (the fleet has its own PKI), an optional client certificate for mutual TLS.</summary>
public static class BrokerTls
{
    public static void Configure(MqttClientTlsOptionsBuilder tls, BrokerOptions broker)
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
