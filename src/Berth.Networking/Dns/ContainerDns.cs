using System.Net.Sockets;
using Berth.Networking.Files;
using Berth.Networking.Ipam;
using Berth.Networking.Model;
using Berth.Platform.Net;
using Microsoft.Extensions.Logging;

namespace Berth.Networking.Dns;

/// <summary>
/// The DNS owner: the names of endpoints on user networks (<see cref="DnsRegistry"/>) and the
/// embedded server that answers each container at 127.0.0.11 (<see cref="EmbeddedDnsServer"/>).
/// Callers take no lock for it: the registry's own lock is a leaf (held for a few dictionary
/// operations) and the server keeps its listeners in a concurrent map. A container's sockets and
/// view are changed only by whoever holds that container's sandbox lock.
/// </summary>
public sealed class ContainerDns : IAsyncDisposable
{
    private readonly NetworkServiceOptions _options;
    private readonly Func<string, NetworkRecord?> _network;

    /// <param name="network">A network by id, read without locks (null when it is gone).</param>
    public ContainerDns(NetworkServiceOptions options, INetworkKernel kernel, Func<string, NetworkRecord?> network, ILogger logger)
    {
        _options = options;
        _network = network;
        Server = new EmbeddedDnsServer(Registry, kernel, logger);
    }

    public DnsRegistry Registry { get; } = new();

    public EmbeddedDnsServer Server { get; }

    /// <summary>Gives a user network its name space (no-op for networks without DNS).</summary>
    public void AddNetwork(NetworkRecord network)
    {
        if (network.HasDns)
        {
            Registry.AddNetwork(network.Id, network.Name);
        }
    }

    public void RemoveNetwork(string networkId) => Registry.RemoveNetwork(networkId);

    /// <summary>Registers the names of a sandbox's endpoints.</summary>
    public void Register(SandboxRecord s)
    {
        foreach (var e in s.Endpoints.Where(e => e.DnsNames.Count > 0))
        {
            Registry.Register(e.NetworkId, e.EndpointId, e.DnsNames, Ipv4.Parse(e.IPv4Address));
        }
    }

    public void Unregister(string networkId, string endpointId) => Registry.Unregister(networkId, endpointId);

    /// <summary>Starts serving a sandbox's sockets (created inside its namespace).</summary>
    public void Start(SandboxRecord s, (Socket Udp, Socket Tcp) sockets) => Server.Start(Build(s), sockets.Udp, sockets.Tcp);

    /// <summary>Gives a serving sandbox its new view (a network connected or disconnected).</summary>
    public void Update(SandboxRecord s) => Server.Update(Build(s));

    /// <summary>Closes a sandbox's sockets and drops the names of all its endpoints. Idempotent.</summary>
    public void Forget(SandboxRecord s)
    {
        Server.Stop(s.ContainerId);
        foreach (var e in s.Endpoints)
        {
            Registry.Unregister(e.NetworkId, e.EndpointId);
        }
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    /// <summary>The DNS view of a sandbox: its user networks (with link aliases) and upstream servers.</summary>
    private DnsSandbox Build(SandboxRecord s)
    {
        var nets = new List<DnsSandboxNetwork>();
        foreach (var e in s.Endpoints)
        {
            if (_network(e.NetworkId) is not { HasDns: true } n)
            {
                continue;
            }

            var links = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var l in e.Links)
            {
                var (target, alias) = HostsFile.ParseLink(l);
                links[alias.ToLowerInvariant()] = target.ToLowerInvariant();
            }

            nets.Add(new DnsSandboxNetwork(n.Id, n.Name, links));
        }

        return new DnsSandbox(s.ContainerId, s.NetnsPath, nets, Upstreams(s));
    }

    /// <summary>
    /// Docker's choice of forwarders: the container's --dns (or the daemon's dns) servers, reached
    /// from inside the container; else the host's nameservers, localhost ones reached from the host.
    /// </summary>
    private List<DnsUpstreamServer> Upstreams(SandboxRecord s)
    {
        var dns = s.Dns.Count > 0 ? s.Dns : _options.Dns;
        var custom = dns.Count > 0 || s.DnsSearch.Count > 0 || s.DnsOptions.Count > 0 || _options.DnsSearch.Count > 0 || _options.DnsOptions.Count > 0;
        var list = new List<DnsUpstreamServer>();
        if (custom)
        {
            var servers = dns.Count > 0 ? dns : ResolvConf.Nameservers(ResolvConf.ReadHost(_options.HostResolvConf));
            foreach (var d in servers)
            {
                if (Ipv4.TryParse(d, out var ip))
                {
                    list.Add(new DnsUpstreamServer(Ipv4.ToAddress(ip), false));
                }
            }
        }
        else
        {
            foreach (var d in ResolvConf.Nameservers(ResolvConf.ReadHost(_options.HostResolvConf)))
            {
                if (Ipv4.TryParse(d, out var ip))
                {
                    list.Add(new DnsUpstreamServer(Ipv4.ToAddress(ip), Ipv4.IsLoopback(ip)));
                }
            }
        }

        return list;
    }
}
