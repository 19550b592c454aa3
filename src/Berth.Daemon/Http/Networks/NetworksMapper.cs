using System.Globalization;
using Berth.Api;
using Berth.Api.Networks;
using Berth.Networking;
using Berth.Networking.Model;

namespace Berth.Daemon.Http.Networks;

/// <summary>Wire shapes of /networks ↔ the networking service, with every API-version difference in one place.</summary>
public static class NetworksMapper
{
    public static NetworkResource ToResource(NetworkView view, string apiVersion, bool withContainers)
    {
        var n = view.Network;
        var config = new List<NetworkIpamConfig>();
        if (n.Subnet.Length > 0)
        {
            config.Add(new NetworkIpamConfig
            {
                Subnet = n.Subnet,
                IPRange = n.IPRange,
                Gateway = n.ShowGateway ? n.Gateway : null,
                AuxiliaryAddresses = n.AuxiliaryAddresses.Count > 0 ? new Dictionary<string, string>(n.AuxiliaryAddresses) : null,
            });
        }

        return new NetworkResource
        {
            Name = n.Name,
            Id = n.Id,
            Created = FormatTime(n.Created),
            Driver = n.Driver,
            EnableIPv4 = ApiVersions.Compare(apiVersion, "1.47") >= 0 ? true : null,
            EnableIPv6 = false,
            IPAM = new NetworkIpam { Driver = n.IpamDriver is { Length: > 0 } ipamDriver ? ipamDriver : "default", Options = n.IpamOptions is null ? null : new Dictionary<string, string>(n.IpamOptions), Config = config },
            Internal = n.Internal,
            Attachable = n.Attachable,
            Containers = withContainers
                ? view.Endpoints.ToDictionary(e => e.ContainerId, e => new NetworkContainer
                {
                    Name = e.ContainerName,
                    EndpointID = e.EndpointId,
                    MacAddress = e.MacAddress,
                    IPv4Address = $"{e.IPv4Address}/{e.PrefixLength.ToString(CultureInfo.InvariantCulture)}",
                })
                : [],
            Options = new Dictionary<string, string>(n.Options),
            Labels = new Dictionary<string, string>(n.Labels),
        };
    }

    public static NetworkCreateSpec ToSpec(NetworkCreateRequest r)
    {
        if (r.EnableIPv4 == false)
        {
            throw Core.Errors.BerthException.NotImplemented("IPv6-only networks (--ipv4=false) are not supported yet");
        }

        return new NetworkCreateSpec
        {
            Name = r.Name ?? string.Empty,
            Driver = r.Driver ?? string.Empty,
            Internal = r.Internal,
            Attachable = r.Attachable,
            Ingress = r.Ingress,
            EnableIPv6 = r.EnableIPv6 ?? false,
            ConfigOnly = r.ConfigOnly,
            ConfigFrom = r.ConfigFrom?.Network,
            Scope = r.Scope ?? string.Empty,
            IpamDriver = r.IPAM?.Driver is { Length: > 0 } ipamDriver ? ipamDriver : "default",
            IpamOptions = r.IPAM?.Options ?? [],
            IpamConfig = [.. (r.IPAM?.Config ?? []).Select(c => new IpamPoolSpec
            {
                Subnet = c.Subnet,
                IPRange = c.IPRange,
                Gateway = c.Gateway,
                AuxiliaryAddresses = c.AuxiliaryAddresses ?? [],
            })],
            Options = r.Options ?? [],
            Labels = r.Labels ?? [],
        };
    }

    /// <summary>EndpointSettings of a create or connect request → what networking needs.</summary>
    public static EndpointRequest ToEndpointRequest(EndpointSettings? s) => s is null ? new EndpointRequest() : new EndpointRequest
    {
        Aliases = s.Aliases ?? [],
        IPv4Address = s.IPAMConfig?.IPv4Address,
        IPv6Address = s.IPAMConfig?.IPv6Address,
        MacAddress = s.MacAddress,
        Links = s.Links ?? [],
        LinkLocalIPs = s.IPAMConfig?.LinkLocalIPs ?? [],
        DriverOpts = s.DriverOpts ?? [],
    };

    /// <summary>Go's time.Time JSON form: RFC 3339 with up to nanoseconds, trailing zeros trimmed.</summary>
    public static string FormatTime(DateTimeOffset t)
    {
        var utc = t.UtcDateTime;
        var frac = (utc.Ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture).TrimEnd('0');
        return utc.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + (frac.Length > 0 ? "." + frac : string.Empty) + "Z";
    }
}
