using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>A throw-away certificate authority with server and client certificates, written as PEM files.</summary>
public sealed class TestPki(string directory)
{
    private static readonly DateTimeOffset NotBefore = DateTimeOffset.UtcNow.AddDays(-1);
    private static readonly DateTimeOffset NotAfter = DateTimeOffset.UtcNow.AddDays(30);

    public string Directory { get; } = directory;

    /// <summary>Creates a CA; returns the CA certificate (with its key) and writes {name}.pem.</summary>
    public X509Certificate2 CreateCa(string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(NotBefore, NotAfter);
        File.WriteAllText(Path(name + ".pem"), ca.ExportCertificatePem());
        return ca;
    }

    /// <summary>Issues a certificate signed by <paramref name="ca"/>; writes {file}.pem and {file}.key (PKCS#8).</summary>
    public void Issue(X509Certificate2 ca, string file, string commonName, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }
        using var cert = request.Create(ca, NotBefore, NotAfter, RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(Path(file + ".pem"), cert.ExportCertificatePem());
        File.WriteAllText(Path(file + ".key"), key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path(file + ".key"), (UnixFileMode)0b110_100_100); // the broker drops to its own user
    }

    public string Path(string file) => System.IO.Path.Combine(Directory, file);
}
