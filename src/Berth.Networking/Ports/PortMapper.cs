using Berth.Networking.Model;
using Berth.Networking.Nat;
using Berth.Platform.Net;

namespace Berth.Networking.Ports;

/// <summary>
/// The owner of published ports: host ports lent by a <see cref="PortAllocator"/> (behind a leaf
/// lock of its own) and Berth's nftables table, whose DNAT elements and whole-table rewrites are
/// ordered by one async lock, so a rewrite always carries every port that is published and none
/// that is gone. Networks come from <paramref name="networks"/>, a snapshot read without locks.
/// With --iptables=false nothing is written to the kernel; ports are still lent and reported.
/// </summary>
public sealed class PortMapper(NetworkServiceOptions options, INetworkKernel kernel, Func<IReadOnlyList<NatNetwork>> networks)
{
    private readonly Lock _allocatorLock = new();
    private readonly Dictionary<string, List<PublishedPort>> _published = new(StringComparer.Ordinal);
    private PortAllocator _allocator = new(49153, 65535);

    /// <summary>The table's lock (exposed for tests that hold it to show who does not wait for it).</summary>
    internal OwnerLock Lock { get; } = new();

    /// <summary>Takes the kernel's ephemeral range (ip_local_port_range) for random host ports, as Docker does.</summary>
    public async Task InitializeAsync()
    {
        var (start, end) = PortAllocator.ReadEphemeralRange(await kernel.RunAsync(host => host.ReadSysctl("net/ipv4/ip_local_port_range")).ConfigureAwait(false));
        lock (_allocatorLock)
        {
            _allocator = new PortAllocator(start, end);
        }
    }

    /// <summary>Marks a stored sandbox's ports as lent and published (start-up; the table is rewritten afterwards).</summary>
    public void Restore(string containerId, IReadOnlyList<PublishedPort> ports)
    {
        lock (_allocatorLock)
        {
            foreach (var p in ports)
            {
                _allocator.Restore(p.Protocol, p.HostIp, p.HostPort);
            }

            if (ports.Count > 0)
            {
                _published[containerId] = [.. ports];
            }
        }
    }

    /// <summary>
    /// Lends host ports for <paramref name="specs"/> (to <paramref name="containerIp"/> on
    /// <paramref name="networkId"/>); nothing reaches the kernel yet. All or nothing.
    /// </summary>
    public List<PublishedPort> Reserve(IReadOnlyList<PublishSpec> specs, string defaultHostIp, string containerIp, string networkId)
    {
        var taken = new List<PublishedPort>();
        lock (_allocatorLock)
        {
            try
            {
                foreach (var p in specs)
                {
                    var hostIp = p.HostIp == "0.0.0.0" ? defaultHostIp : p.HostIp;
                    var hostPort = _allocator.Allocate(p.Protocol, hostIp, p.HostPortStart, p.HostPortEnd);
                    taken.Add(new PublishedPort(p.Protocol, hostIp, hostPort, containerIp, p.ContainerPort, networkId));
                }
            }
            catch
            {
                foreach (var p in taken)
                {
                    _allocator.Release(p.Protocol, p.HostIp, p.HostPort);
                }

                throw;
            }
        }

        return taken;
    }

    /// <summary>Gives back ports that were reserved and never published.</summary>
    public void Release(IReadOnlyList<PublishedPort> ports)
    {
        lock (_allocatorLock)
        {
            foreach (var p in ports)
            {
                _allocator.Release(p.Protocol, p.HostIp, p.HostPort);
            }
        }
    }

    /// <summary>Adds the DNAT elements of a container's reserved ports.</summary>
    public async Task PublishAsync(string containerId, IReadOnlyList<PublishedPort> ports)
    {
        if (ports.Count == 0)
        {
            return;
        }

        using var held = await Lock.EnterAsync(CancellationToken.None).ConfigureAwait(false);
        if (options.Iptables)
        {
            var add = NftRuleset.AddPorts(options.NftTable, ports);
            await kernel.RunAsync(host => host.RunNftables(add)).ConfigureAwait(false);
        }

        lock (_allocatorLock)
        {
            _published[containerId] = [.. _published.GetValueOrDefault(containerId) ?? [], .. ports];
        }
    }

    /// <summary>
    /// Deletes the DNAT elements of some of a container's ports and gives the ports back. If an
    /// element was already missing the batch fails, so the table is rewritten without them instead.
    /// </summary>
    public async Task UnpublishAsync(string containerId, IReadOnlyList<PublishedPort> ports)
    {
        if (ports.Count == 0)
        {
            return;
        }

        using var held = await Lock.EnterAsync(CancellationToken.None).ConfigureAwait(false);
        if (options.Iptables)
        {
            var text = NftRuleset.RemovePorts(options.NftTable, ports);
            try
            {
                await kernel.RunAsync(host => host.RunNftables(text)).ConfigureAwait(false);
            }
            catch (NftablesException)
            {
                var removed = ports.ToHashSet();
                var full = NftRuleset.Replace(options.NftTable, networks(), Published().Where(p => !removed.Contains(p)).ToList());
                await kernel.RunAsync(host => host.RunNftables(full)).ConfigureAwait(false);
            }
        }

        lock (_allocatorLock)
        {
            if (_published.TryGetValue(containerId, out var list))
            {
                list.RemoveAll(ports.Contains);
                if (list.Count == 0)
                {
                    _published.Remove(containerId);
                }
            }

            foreach (var p in ports)
            {
                _allocator.Release(p.Protocol, p.HostIp, p.HostPort);
            }
        }
    }

    /// <summary>Writes the whole table from the networks and the published ports (no-op with --iptables=false).</summary>
    public async Task ApplyRulesetAsync()
    {
        if (!options.Iptables)
        {
            return;
        }

        using var held = await Lock.EnterAsync(CancellationToken.None).ConfigureAwait(false);
        var text = NftRuleset.Replace(options.NftTable, networks(), Published());
        await kernel.RunAsync(host => host.RunNftables(text)).ConfigureAwait(false);
    }

    private List<PublishedPort> Published()
    {
        lock (_allocatorLock)
        {
            return [.. _published.Values.SelectMany(p => p)];
        }
    }
}
