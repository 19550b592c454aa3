using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Core.Errors;
using Berth.Daemon.Configuration;
using Berth.Daemon.Http;
using Berth.Platform.Files;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Berth.Daemon;

/// <summary>
/// The daemon's -H listeners, decided before the host is built so that every mistake stops the
/// start with a clear message: unix sockets (mode 0660, owned by root and the -G group), and TCP
/// listeners, which give root on this machine to whoever can connect and are therefore served
/// with TLS, mutual (--tlsverify) unless TLS is switched off explicitly (--tls=false).
/// </summary>
public sealed class DaemonListeners
{
    private const uint SocketMode = 0x1B0; // 0660
    private const uint S_IFMT = 0xF000;
    private const uint S_IFSOCK = 0xC000;

    private readonly List<string> _unixPaths = [];
    private readonly List<(IPEndPoint EndPoint, string Host)> _tcp = [];
    private readonly X509Certificate2? _serverCertificate;
    private readonly X509Certificate2Collection? _clientCas;
    private uint? _gid;

    private DaemonListeners(DaemonOptions options, X509Certificate2? serverCertificate, X509Certificate2Collection? clientCas)
    {
        Options = options;
        _serverCertificate = serverCertificate;
        _clientCas = clientCas;
    }

    public DaemonOptions Options { get; }

    public IReadOnlyList<string> UnixPaths => _unixPaths;

    /// <summary>Parses every -H, loads the TLS material and refuses a TCP listener nobody meant to be plain.</summary>
    public static DaemonListeners Plan(DaemonOptions options)
    {
        X509Certificate2? certificate = null;
        X509Certificate2Collection? cas = null;
        var hasTcp = options.Hosts.Any(h => h.StartsWith("tcp://", StringComparison.Ordinal));
        if (options.TlsEnabled)
        {
            certificate = LoadKeyPair(options.TlsCert, options.TlsKey);
            if (options.TlsVerify == true)
            {
                cas = LoadCas(options.TlsCaCert);
            }
        }

        if (hasTcp && !TcpIntentIsClear(options))
        {
            var host = options.Hosts.First(h => h.StartsWith("tcp://", StringComparison.Ordinal));
            throw BerthException.Invalid(
                $"failed to load listeners: refusing to listen on {host} without TLS client verification: anyone who can reach it gets root on this machine. "
                + "Use --tlsverify with --tlscacert, --tlscert and --tlskey, or give --tls=false explicitly to listen without TLS");
        }

        var plan = new DaemonListeners(options, certificate, cas) { _gid = LookupGroup(options.SocketGroup) };
        if (plan._gid is null && options.SocketGroupGiven && options.Hosts.Any(h => h.StartsWith("unix://", StringComparison.Ordinal)))
        {
            throw BerthException.Invalid($"can't create unix socket: group {options.SocketGroup} not found");
        }

        foreach (var host in options.Hosts)
        {
            if (host.StartsWith("unix://", StringComparison.Ordinal))
            {
                var path = host["unix://".Length..];
                if (path.Length == 0)
                {
                    throw BerthException.Invalid($"invalid daemon address {host}: empty socket path");
                }

                path = Path.GetFullPath(path);
                PrepareSocketPath(path);
                plan._unixPaths.Add(path);
            }
            else if (host.StartsWith("tcp://", StringComparison.Ordinal))
            {
                plan._tcp.Add((ParseTcp(host, options.TlsEnabled), host));
            }
            else
            {
                throw BerthException.Invalid($"invalid daemon address {host}: only unix:// and tcp:// are supported");
            }
        }

        return plan;
    }

    /// <summary>
    /// dockerd's rule (checkTLSAuthOK): client verification, or TLS switched off explicitly, or
    /// verification switched off explicitly. "--tls" alone, with nothing said about
    /// verification, is not enough: it encrypts, but lets anyone in.
    /// </summary>
    private static bool TcpIntentIsClear(DaemonOptions options) =>
        options.TlsVerify is not null || options.Tls == false;

    /// <summary>Warnings for listeners that let anyone who connects in (dockerd's words).</summary>
    public IEnumerable<string> Warnings()
    {
        foreach (var (_, host) in _tcp)
        {
            if (_clientCas is null)
            {
                yield return $"Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network. host=\"{host}\"";
            }
        }
    }

    public void Configure(KestrelServerOptions kestrel, EdgeLimits limits)
    {
        // Kestrel binds (and starts accepting on) each listener in the order they are added. TCP
        // first: whoever sees the unix socket answer (clients, readiness checks) may rely on every
        // listener being there; with the unix socket first, a loaded machine let a client reach
        // it and then find 127.0.0.1:2376 refused.
        foreach (var (endPoint, _) in _tcp)
        {
            kestrel.Listen(endPoint, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                if (_serverCertificate is not null)
                {
                    // Before the hijack middleware, so that it sees the decrypted request.
                    l.UseHttps(HttpsOptions());
                }

                l.Use(HijackConnectionMiddleware.Create(limits));
            });
        }

        foreach (var path in _unixPaths)
        {
            kestrel.ListenUnixSocket(path, l =>
            {
                l.Protocols = HttpProtocols.Http1; // hijacked streams are HTTP/1.1 upgrades
                l.Use(HijackConnectionMiddleware.Create(limits));
            });
        }
    }

    private HttpsConnectionAdapterOptions HttpsOptions()
    {
        var options = new HttpsConnectionAdapterOptions
        {
            ServerCertificate = _serverCertificate,
            SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
            CheckCertificateRevocation = false,
        };
        if (_clientCas is { } cas)
        {
            options.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            options.ClientCertificateValidation = (certificate, presented, _) => IsSignedBy(certificate, presented, cas);
        }

        return options;
    }

    /// <summary>
    /// Go's RequireAndVerifyClientCert with the CA file as the only root: the client's chain
    /// must end at one of those CAs (not at any root the system trusts), and the certificate
    /// must be valid for client authentication.
    /// </summary>
    public static bool IsSignedBy(X509Certificate2 certificate, X509Chain? presented, X509Certificate2Collection cas)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(cas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2")); // clientAuth
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }

    /// <summary>After Kestrel has bound the sockets: mode 0660, group -G (dockerd: "docker" when it exists).</summary>
    public void SecureUnixSockets(Action<string> warn)
    {
        if (_unixPaths.Count == 0)
        {
            return;
        }

        var gid = _gid;
        if (gid is null)
        {
            warn($"could not change group of the API socket to {Options.SocketGroup}: group {Options.SocketGroup} not found");
        }

        foreach (var path in _unixPaths)
        {
            // The mode first: until then the socket carries Kestrel's default (umask) mode,
            // which is never wider for the group than 0660 needs to be for root.
            PosixFiles.Chmod(path, SocketMode);
            PosixFiles.Lchown(path, 0, gid ?? 0);
        }
    }

    /// <summary>Removes the sockets at exit, and nothing that has replaced them.</summary>
    public void RemoveUnixSockets()
    {
        foreach (var path in _unixPaths)
        {
            if (IsSocket(path))
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>
    /// A socket left by a killed daemon is removed; anything else at the path (a file, a
    /// directory, a symlink) is someone's data and stops the start, as does a socket another
    /// daemon still answers on.
    /// </summary>
    private static void PrepareSocketPath(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (PosixFiles.TryLstat(path) is not { } status)
        {
            return;
        }

        if ((status.Mode & S_IFMT) != S_IFSOCK)
        {
            throw BerthException.Invalid($"can't create unix socket {path}: the path exists and is not a socket");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw BerthException.Conflict($"can't create unix socket {path}: another daemon is listening on it");
            }
            catch (SocketException)
            {
                // Nobody listens: a stale socket.
            }
        }

        File.Delete(path);
    }

    private static bool IsSocket(string path) => PosixFiles.TryLstat(path) is { } s && (s.Mode & S_IFMT) == S_IFSOCK;

    /// <summary>A group name or number, looked up in /etc/group as dockerd does (moby/sys/user).</summary>
    public static uint? LookupGroup(string group)
    {
        if (uint.TryParse(group, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        string[] lines;
        try
        {
            lines = File.ReadAllLines("/etc/group");
        }
        catch (IOException)
        {
            return null;
        }

        foreach (var line in lines)
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == group && uint.TryParse(fields[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var gid))
            {
                return gid;
            }
        }

        return null;
    }

    /// <summary>tcp://host:port; the port defaults to 2376 with TLS and 2375 without, as dockerd's.</summary>
    private static IPEndPoint ParseTcp(string host, bool tls)
    {
        var rest = host["tcp://".Length..].TrimEnd('/');
        string address;
        var port = tls ? 2376 : 2375;
        var colon = rest.LastIndexOf(':');
        if (colon >= 0 && !rest.EndsWith(']'))
        {
            address = rest[..colon];
            if (!int.TryParse(rest.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port > 65535)
            {
                throw BerthException.Invalid($"invalid daemon address {host}: invalid port");
            }
        }
        else
        {
            address = rest;
        }

        address = address.Trim('[', ']');
        if (address is "" or "0.0.0.0")
        {
            return new IPEndPoint(IPAddress.Any, port);
        }

        if (address == "localhost")
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        return IPAddress.TryParse(address, out var ip)
            ? new IPEndPoint(ip, port)
            : throw BerthException.Invalid($"invalid daemon address {host}: {address} is not an IP address");
    }

    private static X509Certificate2 LoadKeyPair(string certFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception e) when (e is IOException or CryptographicException or UnauthorizedAccessException or ArgumentException)
        {
            throw BerthException.Invalid($"failed to load listeners: could not load X509 key pair ({certFile}, {keyFile}): {e.Message}");
        }
    }

    private static X509Certificate2Collection LoadCas(string caFile)
    {
        var cas = new X509Certificate2Collection();
        try
        {
            cas.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or CryptographicException or UnauthorizedAccessException)
        {
            throw BerthException.Invalid($"failed to load listeners: could not read CA certificate \"{caFile}\": {e.Message}");
        }

        return cas.Count > 0 ? cas : throw BerthException.Invalid($"failed to load listeners: failed to append certificates from PEM file: \"{caFile}\"");
    }
}
