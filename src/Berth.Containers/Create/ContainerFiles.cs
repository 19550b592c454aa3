using System.Text;
using Berth.Containers.Model;

namespace Berth.Containers.Create;

/// <summary>
/// The files Docker bind-mounts into every container: /etc/hostname, /etc/hosts and
/// /etc/resolv.conf, kept in the container's directory.
/// </summary>
public static class ContainerFiles
{
    public static void Write(Container c, ContainerServiceOptions options)
    {
        var hostNetwork = c.HostConfig.NetworkMode == "host";
        File.WriteAllText(c.HostnamePath, c.Config.Hostname + "\n");
        File.WriteAllText(c.HostsPath, Hosts(c, hostNetwork, options));
        File.WriteAllText(c.ResolvConfPath, ResolvConf(c.HostConfig, options));
    }

    public static string Hosts(Container c, bool hostNetwork, ContainerServiceOptions options)
    {
        var sb = new StringBuilder();
        if (hostNetwork && File.Exists(options.HostHosts))
        {
            sb.Append(File.ReadAllText(options.HostHosts));
            if (sb.Length > 0 && sb[^1] != '\n')
            {
                sb.Append('\n');
            }
        }
        else
        {
            sb.Append("127.0.0.1\tlocalhost\n");
            sb.Append("::1\tlocalhost ip6-localhost ip6-loopback\n");
            sb.Append("fe00::0\tip6-localnet\n");
            sb.Append("ff00::0\tip6-mcastprefix\n");
            sb.Append("ff02::1\tip6-allnodes\n");
            sb.Append("ff02::2\tip6-allrouters\n");
        }

        foreach (var h in c.HostConfig.ExtraHosts ?? [])
        {
            var colon = h.IndexOf(':', StringComparison.Ordinal);
            sb.Append(h[(colon + 1)..]).Append('\t').Append(h[..colon]).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>--dns/--dns-search/--dns-option, else the host's resolv.conf without loopback servers (unreachable from a container), else Google's.</summary>
    public static string ResolvConf(HostConfig hc, ContainerServiceOptions options)
    {
        var hostNetwork = hc.NetworkMode == "host";
        var servers = hc.Dns.Count > 0 ? [.. hc.Dns] : options.Dns.ToList();
        var search = hc.DnsSearch.ToList();
        var opts = hc.DnsOptions.ToList();
        var host = File.Exists(options.HostResolvConf) ? File.ReadAllLines(options.HostResolvConf) : [];
        if (servers.Count == 0)
        {
            foreach (var line in host)
            {
                var f = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (f.Length >= 2 && f[0] == "nameserver" && (hostNetwork || !IsLoopback(f[1])))
                {
                    servers.Add(f[1]);
                }
            }

            if (servers.Count == 0)
            {
                servers.AddRange(["8.8.8.8", "8.8.4.4"]);
            }
        }

        if (search.Count == 0 && hc.DnsSearch.Count == 0)
        {
            search.AddRange(host.Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 2 && f[0] is "search" or "domain").SelectMany(f => f.Skip(1)));
        }

        if (opts.Count == 0 && hc.DnsOptions.Count == 0)
        {
            opts.AddRange(host.Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 2 && f[0] == "options").SelectMany(f => f.Skip(1)));
        }

        var sb = new StringBuilder();
        foreach (var s in servers)
        {
            sb.Append("nameserver ").Append(s).Append('\n');
        }

        if (search.Count > 0)
        {
            sb.Append("search ").AppendJoin(' ', search.Distinct(StringComparer.Ordinal)).Append('\n');
        }

        if (opts.Count > 0)
        {
            sb.Append("options ").AppendJoin(' ', opts.Distinct(StringComparer.Ordinal)).Append('\n');
        }

        return sb.ToString();
    }

    private static bool IsLoopback(string address) =>
        address.StartsWith("127.", StringComparison.Ordinal) || address == "::1";
}
