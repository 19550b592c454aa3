using System.Text;
using Berth.Core.Errors;

namespace Berth.Networking.Files;

/// <summary>
/// The container's /etc/hosts as Docker writes it: the standard localhost/IPv6 lines, then
/// --add-host and legacy-link entries, then one "IP\thostname" line per connected endpoint.
/// </summary>
public static class HostsFile
{
    private static readonly (string Ip, string Names)[] Defaults =
    [
        ("127.0.0.1", "localhost"),
        ("::1", "localhost ip6-localhost ip6-loopback"),
        ("fe00::0", "ip6-localnet"),
        ("ff00::0", "ip6-mcastprefix"),
        ("ff02::1", "ip6-allnodes"),
        ("ff02::2", "ip6-allrouters"),
    ];

    /// <param name="extra">"IP\tnames" pairs from --add-host and links, in order.</param>
    /// <param name="ownAddresses">The container's endpoint addresses, in join order.</param>
    public static string Build(string hostname, string domainname, IEnumerable<(string Ip, string Names)> extra, IEnumerable<string> ownAddresses)
    {
        var sb = new StringBuilder();
        foreach (var (ip, names) in Defaults)
        {
            sb.Append(ip).Append('\t').Append(names).Append('\n');
        }

        foreach (var (ip, names) in extra)
        {
            sb.Append(ip).Append('\t').Append(names).Append('\n');
        }

        var self = SelfNames(hostname, domainname);
        if (self.Length > 0)
        {
            foreach (var ip in ownAddresses)
            {
                sb.Append(ip).Append('\t').Append(self).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>Docker's main record: "fqdn short" when the name has a domain, else the bare hostname.</summary>
    public static string SelfNames(string hostname, string domainname)
    {
        var fqdn = string.IsNullOrEmpty(domainname) ? hostname : $"{hostname}.{domainname}";
        var dot = fqdn.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? $"{fqdn} {fqdn[..dot]}" : fqdn;
    }

    /// <summary>Parses --add-host "name:ip" (or "name=ip"); "host-gateway" is resolved by the caller.</summary>
    public static (string Ip, string Names) ParseExtraHost(string entry)
    {
        var sep = entry.IndexOf('=', StringComparison.Ordinal);
        if (sep < 0)
        {
            sep = entry.IndexOf(':', StringComparison.Ordinal);
        }

        if (sep <= 0 || sep == entry.Length - 1)
        {
            throw BerthException.Invalid($"invalid extra host entry: \"{entry}\"");
        }

        var ip = entry[(sep + 1)..].Trim('[', ']');
        return (ip, entry[..sep]);
    }

    /// <summary>A legacy link's target container and alias: "name:alias", "name" or Docker's internal "/name:/container/alias".</summary>
    public static (string Target, string Alias) ParseLink(string link)
    {
        var colon = link.IndexOf(':', StringComparison.Ordinal);
        var target = (colon < 0 ? link : link[..colon]).TrimStart('/');
        var alias = colon < 0 ? target : link[(colon + 1)..];
        var slash = alias.LastIndexOf('/');
        if (slash >= 0)
        {
            alias = alias[(slash + 1)..];
        }

        return (target, alias);
    }
}
