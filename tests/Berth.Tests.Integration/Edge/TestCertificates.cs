using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Tests.Integration.Edge;

/// <summary>
/// A throw-away certificate authority for TLS tests: a CA, a server certificate for 127.0.0.1
/// and client certificates, written as PEM files the way dockerd and the docker CLI read them.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _ca;

    public TestCertificates(string name)
    {
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public string CaPem => _ca.ExportCertificatePem();

    /// <summary>Writes ca.pem, cert.pem and key.pem (a client certificate) into <paramref name="dir"/>: DOCKER_CERT_PATH's layout.</summary>
    public void WriteClientDir(string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "ca.pem"), CaPem);
        var (cert, key) = Issue("client", server: false);
        File.WriteAllText(Path.Combine(dir, "cert.pem"), cert);
        File.WriteAllText(Path.Combine(dir, "key.pem"), key);
    }

    /// <summary>Writes ca.pem, server-cert.pem and server-key.pem into <paramref name="dir"/>.</summary>
    public void WriteServerFiles(string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "ca.pem"), CaPem);
        var (cert, key) = Issue("server", server: true);
        File.WriteAllText(Path.Combine(dir, "server-cert.pem"), cert);
        File.WriteAllText(Path.Combine(dir, "server-key.pem"), key);
    }

    public (string CertPem, string KeyPem) Issue(string name, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var cert = request.Create(_ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(23), serial);
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
    }
}
