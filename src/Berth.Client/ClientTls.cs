using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Client;

/// <summary>
/// TLS towards a tcp:// daemon, as the docker CLI does it: with <see cref="Verify"/> the server's
/// certificate must chain to <see cref="CaFile"/> (or the system's roots when there is none) and
/// name the host; without it any server certificate is accepted (--tls alone). A client
/// certificate is presented when one is given (a daemon with --tlsverify requires it).
/// </summary>
public sealed record ClientTls(bool Verify, string? CaFile, string? CertFile, string? KeyFile)
{
    /// <summary>
    /// docker's rules: TLS with --tls, --tlsverify, DOCKER_TLS or DOCKER_TLS_VERIFY; the files
    /// default to ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH (else the config directory)
    /// and a default file that does not exist is left out. Null when TLS is off.
    /// </summary>
    public static ClientTls? Resolve(bool tlsFlag, bool? tlsVerifyFlag, string? caFlag, string? certFlag, string? keyFlag, string configDirectory, Func<string, string?> environment)
    {
        var verify = tlsVerifyFlag ?? !string.IsNullOrEmpty(environment("DOCKER_TLS_VERIFY"));
        var tls = tlsFlag || verify || !string.IsNullOrEmpty(environment("DOCKER_TLS"));
        if (!tls)
        {
            return null;
        }

        var certPath = environment("DOCKER_CERT_PATH") is { Length: > 0 } p ? p : configDirectory;
        string? Pick(string? flag, string name) => flag ?? (File.Exists(Path.Combine(certPath, name)) ? Path.Combine(certPath, name) : null);
        return new ClientTls(verify, Pick(caFlag, "ca.pem"), Pick(certFlag, "cert.pem"), Pick(keyFlag, "key.pem"));
    }

    public SslClientAuthenticationOptions AuthenticationOptions(string host)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Accept(certificate, chain, errors),
        };
        if (CertFile is not null || KeyFile is not null)
        {
            if (CertFile is null || KeyFile is null)
            {
                throw new EngineConnectionException("could not load X509 key pair: both --tlscert and --tlskey are needed");
            }

            try
            {
                options.ClientCertificates = [X509Certificate2.CreateFromPemFile(CertFile, KeyFile)];
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
            {
                throw new EngineConnectionException($"could not load X509 key pair: {e.Message}", e);
            }
        }

        return options;
    }

    private bool Accept(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (!Verify)
        {
            return true;
        }

        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        if (CaFile is null)
        {
            return errors == SslPolicyErrors.None;
        }

        var cas = new X509Certificate2Collection();
        cas.ImportFromPemFile(CaFile);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(cas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
