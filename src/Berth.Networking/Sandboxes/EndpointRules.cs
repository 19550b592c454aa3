using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Berth.Core.Errors;
using Berth.Networking.Ipam;
using Berth.Networking.Model;

namespace Berth.Networking.Sandboxes;

/// <summary>Docker's rules for an endpoint's settings (aliases, --ip, --mac-address) and its MAC address.</summary>
public static class EndpointRules
{
    /// <summary>Refuses settings Docker refuses on this network, with its messages.</summary>
    public static void Validate(NetworkRecord net, EndpointRequest ep)
    {
        if (net.Predefined && ep.Aliases.Count > 0)
        {
            throw BerthException.Invalid("network-scoped alias is supported only for containers in user defined networks");
        }

        if (!string.IsNullOrEmpty(ep.IPv6Address))
        {
            throw BerthException.NotImplemented("--ip6 is not supported yet (IPv6 networks are not supported)");
        }

        if (!string.IsNullOrEmpty(ep.IPv4Address))
        {
            if (net.Predefined)
            {
                throw BerthException.Invalid("user specified IP address is supported on user defined networks only");
            }

            if (!net.SubnetConfigured)
            {
                throw BerthException.Invalid("user specified IP address is supported only when connecting to networks with user configured subnets");
            }

            if (!Ipv4.TryParse(ep.IPv4Address, out _))
            {
                throw BerthException.Invalid($"invalid IPv4 address: {ep.IPv4Address}");
            }
        }

        if (!string.IsNullOrEmpty(ep.MacAddress) && ParseMac(ep.MacAddress) is null)
        {
            throw BerthException.Invalid($"invalid MAC address: {ep.MacAddress}");
        }

        ValidateLinkLocal(ep.LinkLocalIPs);
    }

    /// <summary>dockerd's checks of IPAMConfig.LinkLocalIPs (its messages; dockerd 20.10 answers them with 500, Berth with 400).</summary>
    public static void ValidateLinkLocal(IReadOnlyList<string> addresses)
    {
        foreach (var text in addresses.Where(a => a.Length > 0))
        {
            if (!IPAddress.TryParse(text, out var ip))
            {
                // dockerd prints the whole list (Go's %s of a slice).
                throw BerthException.Invalid($"Invalid link-local IP address: [{string.Join(' ', addresses)}]");
            }

            if (ip.AddressFamily == AddressFamily.InterNetworkV6)
            {
                throw BerthException.NotImplemented($"IPv6 link-local addresses (--link-local-ip {text}) are not supported yet (IPv6 networks are not supported)");
            }

            if (!Ipv4.TryParse(text, out var v4) || (v4 >> 16) != 0xa9fe)
            {
                throw BerthException.Invalid($"invalid link local IP address: {text}");
            }
        }
    }

    /// <summary>Docker's MAC for an address: 02:42 followed by the four address bytes.</summary>
    public static string GenerateMac(uint ip) =>
        string.Create(CultureInfo.InvariantCulture, $"02:42:{ip >> 24:x2}:{(ip >> 16) & 255:x2}:{(ip >> 8) & 255:x2}:{ip & 255:x2}");

    public static byte[]? ParseMac(string text)
    {
        var parts = text.Split(':', '-');
        if (parts.Length != 6)
        {
            return null;
        }

        var mac = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (parts[i].Length != 2 || !byte.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out mac[i]))
            {
                return null;
            }
        }

        return mac;
    }
}
