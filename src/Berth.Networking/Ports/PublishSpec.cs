using Berth.Core.Errors;
using Berth.Networking.Ipam;

namespace Berth.Networking.Ports;

/// <summary>
/// One resolved publishing request: container port/protocol and the host address and port range
/// to bind (HostPortStart = HostPortEnd = 0: any free ephemeral port).
/// </summary>
public sealed record PublishSpec(int ContainerPort, string Protocol, string HostIp, int HostPortStart, int HostPortEnd)
{
    /// <summary>
    /// Expands Docker's PortBindings map (plus -P over ExposedPorts) into one spec per binding,
    /// in a stable order (by container port, then protocol, then as given).
    /// </summary>
    public static IReadOnlyList<PublishSpec> FromBindings(
        IReadOnlyDictionary<string, IReadOnlyList<PortBindingRequest>> bindings,
        bool publishAll,
        IReadOnlyCollection<string> exposedPorts)
    {
        var list = new List<PublishSpec>();
        var bound = new HashSet<PortKey>();
        foreach (var (key, hosts) in bindings)
        {
            if (!PortKey.TryParseRange(key, out var cStart, out var cEnd, out var proto))
            {
                throw BerthException.Invalid($"invalid port specification: \"{key}\"");
            }

            for (var c = cStart; c <= cEnd; c++)
            {
                bound.Add(new PortKey(c, proto));
                var hostList = hosts.Count == 0 ? [new PortBindingRequest(string.Empty, string.Empty)] : hosts;
                foreach (var h in hostList)
                {
                    list.Add(Resolve(c, proto, h, cEnd - cStart, c - cStart));
                }
            }
        }

        if (publishAll)
        {
            foreach (var key in exposedPorts)
            {
                if (!PortKey.TryParseRange(key, out var s, out var e, out var proto))
                {
                    throw BerthException.Invalid($"invalid port specification: \"{key}\"");
                }

                for (var c = s; c <= e; c++)
                {
                    if (bound.Add(new PortKey(c, proto)))
                    {
                        list.Add(new PublishSpec(c, proto, "0.0.0.0", 0, 0));
                    }
                }
            }
        }

        return [.. list.OrderBy(p => p.ContainerPort).ThenBy(p => p.Protocol, StringComparer.Ordinal)];
    }

    private static PublishSpec Resolve(int containerPort, string proto, PortBindingRequest h, int containerSpan, int offset)
    {
        if (proto == "sctp")
        {
            throw BerthException.NotImplemented("publishing sctp ports is not supported yet");
        }

        var ip = string.IsNullOrEmpty(h.HostIp) ? "0.0.0.0" : h.HostIp;
        if (ip.Contains(':', StringComparison.Ordinal))
        {
            if (ip is "::" or "[::]")
            {
                ip = "0.0.0.0"; // IPv6 is not supported yet; Docker binds both families for "::"
            }
            else
            {
                throw BerthException.NotImplemented($"publishing on IPv6 address {h.HostIp} is not supported yet");
            }
        }
        else if (!Ipv4.TryParse(ip, out _))
        {
            throw BerthException.Invalid($"invalid IP address: {h.HostIp}");
        }

        if (string.IsNullOrEmpty(h.HostPort))
        {
            return new PublishSpec(containerPort, proto, ip, 0, 0);
        }

        if (!PortKey.TryParsePortRange(h.HostPort, out var hs, out var he))
        {
            throw BerthException.Invalid($"invalid hostPort: {h.HostPort}");
        }

        // A container range mapped onto a host range of the same size maps port by port.
        if (containerSpan > 0 && he - hs == containerSpan)
        {
            return new PublishSpec(containerPort, proto, ip, hs + offset, hs + offset);
        }

        return new PublishSpec(containerPort, proto, ip, hs, he);
    }
}
