using Berth.Core.Errors;
using Berth.Networking.Files;
using Berth.Networking.Model;
using Berth.Networking.Networks;

namespace Berth.Networking.Sandboxes;

/// <summary>
/// The files Docker writes into a container for name resolution, /etc/hosts and
/// /etc/resolv.conf: their contents (from the sandbox, the daemon's --dns* defaults and the
/// host's files) and their in-place writes. Reads networks and other sandboxes (legacy links)
/// from lock-free snapshots; a container's files are written by whoever holds its sandbox lock.
/// </summary>
public sealed class SandboxFiles(NetworkServiceOptions options, NetworkTable networks, Func<IEnumerable<SandboxRecord>> sandboxes)
{
    public string Hosts(SandboxRecord s)
    {
        var extra = ExtraHosts(s.ExtraHosts).ToList();
        // Legacy links on the default bridge become hosts entries, as dockerd writes them: "IP\talias hostname name"
        // (the linked container's hostname, by default its 12-digit ID; the name only when it is not the alias).
        foreach (var e in s.Endpoints.Where(e => networks.TryGet(e.NetworkId) is { IsDefaultBridge: true }))
        {
            foreach (var l in e.Links)
            {
                var (target, alias) = HostsFile.ParseLink(l);
                var other = sandboxes().FirstOrDefault(o => o.ContainerName == target || o.ContainerId.StartsWith(target, StringComparison.Ordinal));
                var ip = other?.Endpoints.FirstOrDefault(oe => oe.NetworkId == e.NetworkId)?.IPv4Address;
                if (ip is not null)
                {
                    var names = other!.Hostname.Length > 0 ? $"{alias} {other.Hostname}" : alias;
                    extra.Add((ip, alias == other.ContainerName ? names : $"{names} {other.ContainerName}"));
                }
            }
        }

        return HostsFile.Build(s.Hostname, s.Domainname, extra, s.Endpoints.Select(e => e.IPv4Address));
    }

    public string ResolvConf(SandboxRecord s)
    {
        var plain = PlainResolvConf(s.Dns, s.DnsSearch, s.DnsOptions);
        return s.EmbeddedDns ? Files.ResolvConf.BuildEmbedded(plain) : plain;
    }

    /// <summary>The resolv.conf without the embedded server: built from --dns* options, or the host's filtered.</summary>
    public string PlainResolvConf(IReadOnlyList<string> dns, IReadOnlyList<string> search, IReadOnlyList<string> dnsOptions)
    {
        dns = dns.Count > 0 ? dns : options.Dns;
        search = search.Count > 0 ? search : options.DnsSearch;
        dnsOptions = dnsOptions.Count > 0 ? dnsOptions : options.DnsOptions;
        var host = HostResolvConf();
        if (dns.Count > 0 || search.Count > 0 || dnsOptions.Count > 0)
        {
            return Files.ResolvConf.Build(
                dns.Count > 0 ? dns : Files.ResolvConf.Nameservers(host),
                search.Count > 0 ? search : Files.ResolvConf.Search(host),
                dnsOptions.Count > 0 ? dnsOptions : Files.ResolvConf.Options(host));
        }

        return Files.ResolvConf.FilterHost(host);
    }

    public string HostResolvConf() => Files.ResolvConf.ReadHost(options.HostResolvConf);

    /// <summary>--add-host entries as hosts lines; host-gateway is the default bridge's gateway.</summary>
    public IEnumerable<(string Ip, string Names)> ExtraHosts(IEnumerable<string> entries)
    {
        foreach (var entry in entries)
        {
            var (ip, names) = HostsFile.ParseExtraHost(entry);
            if (ip == "host-gateway")
            {
                var bridge = networks.DefaultBridge
                    ?? throw BerthException.Invalid("unable to derive the IP value for host-gateway: there is no default bridge");
                ip = bridge.Gateway;
            }

            yield return (ip, names);
        }
    }

    /// <summary>What a container on the host's network gets: the host's files, or ones built from its options.</summary>
    public NetworkAttachment HostMode(ContainerNetworkRequest request)
    {
        string hosts;
        if (request.ExtraHosts.Count == 0)
        {
            try
            {
                hosts = File.ReadAllText(options.HostHosts);
            }
            catch (IOException)
            {
                hosts = HostsFile.Build(string.Empty, string.Empty, [], []);
            }
        }
        else
        {
            hosts = HostsFile.Build(string.Empty, string.Empty, ExtraHosts(request.ExtraHosts), []);
        }

        var custom = request.Dns.Count > 0 || request.DnsSearch.Count > 0 || request.DnsOptions.Count > 0;
        return new NetworkAttachment
        {
            RuntimeNetworkMode = "host",
            Hosts = hosts,
            ResolvConf = custom ? PlainResolvConf(request.Dns, request.DnsSearch, request.DnsOptions) : HostResolvConf(),
        };
    }

    /// <summary>Writes the attachment's hosts and resolv.conf where the container has them (when given).</summary>
    public static NetworkAttachment Write(string? hostsPath, string? resolvPath, NetworkAttachment a)
    {
        if (hostsPath is not null)
        {
            WriteInPlace(hostsPath, a.Hosts);
        }

        if (resolvPath is not null)
        {
            WriteInPlace(resolvPath, a.ResolvConf);
        }

        return a;
    }

    private static void WriteInPlace(string path, string content)
    {
        // Bind-mounted files must be rewritten in place: a rename would leave the mount on the old inode.
        if (File.Exists(path))
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            var bytes = System.Text.Encoding.UTF8.GetBytes(content);
            f.SetLength(0);
            f.Write(bytes);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
