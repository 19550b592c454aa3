using Berth.Core.Errors;
using Berth.Core.Events;
using Berth.Networking.Dns;
using Berth.Networking.Ipam;
using Berth.Networking.Model;
using Berth.Networking.Nat;
using Berth.Networking.Ports;
using Berth.Networking.Store;
using Berth.Platform.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Networking;

/// <summary>
/// Berth's network controller: networks (bridge, macvlan, ipvlan, plus the predefined bridge,
/// host and none), IPAM, container sandboxes (a netns per container with veth/macvlan
/// endpoints), published ports (nftables DNAT), and the embedded DNS server.
/// <para>
/// Lifecycle, as the daemon drives it: <see cref="InitializeAsync"/> at start-up (predefined
/// networks, bridges, the nftables table, DNS sockets of containers that kept running);
/// <see cref="ReconcileAsync"/> once the container service knows which containers are alive;
/// <see cref="AttachAsync"/> before a container starts and <see cref="DetachAsync"/> after it
/// stopped; <see cref="ConnectAsync"/>/<see cref="DisconnectAsync"/> for running containers.
/// </para>
/// <para>
/// State changes are serialised by one async lock; kernel work runs on a dedicated
/// <see cref="NamespaceThread"/> living in the host namespace. Every sandbox is written to disk
/// before its kernel objects are created, so a crash at any point can be undone at start-up.
/// </para>
/// </summary>
public sealed partial class NetworkService : IAsyncDisposable
{
    private readonly NetworkServiceOptions _options;
    private readonly EventBus? _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly NetworkStore _store;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, NetworkState> _networks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SandboxRecord> _sandboxes = new(StringComparer.Ordinal);
    private readonly DnsRegistry _registry = new();
    private readonly NamespaceThread _ns;
    private readonly EmbeddedDnsServer _dns;
    private PortAllocator _ports = new(49153, 65535);
    private Netlink? _nl;
    private Nftables? _nft;
    private bool _initialized;

    public NetworkService(NetworkServiceOptions options, EventBus? events = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _options = options;
        _events = events;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _store = new NetworkStore(options.DataRoot);
        _ns = new NamespaceThread("berth-netns", options.HostNamespace);
        _dns = new EmbeddedDnsServer(_registry, _ns, _logger);
    }

    /// <summary>The embedded DNS server (exposed for tests and diagnostics).</summary>
    public EmbeddedDnsServer Dns => _dns;

    /// <summary>The DNS records (exposed for tests and leak checks).</summary>
    public DnsRegistry DnsRecords => _registry;

    public NetworkServiceOptions Options => _options;

    /// <summary>Where container namespaces are bound.</summary>
    public string NetnsDirectory => Path.Combine(_options.ExecRoot, "netns");

    /// <summary>
    /// Loads stored networks and sandboxes, creates the predefined networks and their bridges,
    /// writes the nftables table and reopens the DNS sockets of sandboxes whose namespace still
    /// exists (containers that kept running while the daemon was down). Sandboxes whose namespace
    /// is gone are torn down.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _ns.RunAsync(() =>
            {
                _nl = Netlink.Open();
                if (_options.Iptables)
                {
                    _nft = Nftables.Create();
                }

                if (_options.IpForward)
                {
                    Sysctl.Write("net/ipv4/ip_forward", "1");
                }

                var (start, end) = PortAllocator.ReadEphemeralRange(Sysctl.Read("net/ipv4/ip_local_port_range"));
                _ports = new PortAllocator(start, end);
                return 0;
            }).ConfigureAwait(false);

            foreach (var n in _store.LoadNetworks())
            {
                _networks[n.Id] = new NetworkState(n);
            }

            await EnsurePredefinedAsync().ConfigureAwait(false);
            foreach (var s in _store.LoadSandboxes())
            {
                _sandboxes[s.ContainerId] = s;
            }

            RebuildAllocations();
            foreach (var n in _networks.Values.Where(n => n.Record.HasDns))
            {
                _registry.AddNetwork(n.Record.Id, n.Record.Name);
            }

            foreach (var n in _networks.Values.Where(n => n.Record.IsBridge))
            {
                await EnsureBridgeAsync(n.Record).ConfigureAwait(false);
            }

            var bound = NetNamespace.ListBound(NetnsDirectory);
            foreach (var s in _sandboxes.Values.ToList())
            {
                if (!bound.Contains(s.NetnsPath))
                {
                    _logger.LogInformation("network: sandbox of container {Container} lost its namespace; releasing it", s.ContainerId);
                    await TearDownAsync(s, publishEvents: false).ConfigureAwait(false);
                    continue;
                }

                RegisterDnsNames(s);
                if (s.EmbeddedDns)
                {
                    try
                    {
                        var sockets = await _ns.RunInAsync(s.NetnsPath, EmbeddedDnsServer.CreateSockets).ConfigureAwait(false);
                        _dns.Start(BuildDnsSandbox(s), sockets.Udp, sockets.Tcp);
                    }
                    catch (Exception e)
                    {
                        _logger.LogWarning("network: cannot reopen DNS for container {Container}: {Error}", s.ContainerId, e.Message);
                    }
                }
            }

            await ApplyRulesetAsync().ConfigureAwait(false);
            _initialized = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Releases everything of containers that are not alive any more, then removes what no
    /// sandbox accounts for: veth ends on Berth's bridges, namespace files under
    /// &lt;exec-root&gt;/netns, nftables elements (the table is rewritten from state).
    /// Call once at start-up after the container service restored its containers, with the ids
    /// of the containers that are running (their networks stay as they are).
    /// </summary>
    public async Task ReconcileAsync(IReadOnlyCollection<string> liveContainerIds, CancellationToken cancellationToken)
    {
        var live = liveContainerIds.ToHashSet(StringComparer.Ordinal);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureInitialized();
            foreach (var s in _sandboxes.Values.Where(s => !live.Contains(s.ContainerId)).ToList())
            {
                await TearDownAsync(s, publishEvents: false).ConfigureAwait(false);
            }

            var knownVeths = _sandboxes.Values.SelectMany(s => s.Endpoints).Select(e => e.HostInterface).Where(h => h.Length > 0).ToHashSet(StringComparer.Ordinal);
            var bridges = _networks.Values.Where(n => n.Record.IsBridge).Select(n => n.Record.BridgeName).ToHashSet(StringComparer.Ordinal);
            await _ns.RunAsync(() =>
            {
                var links = _nl!.ListLinks();
                var bridgeIndexes = links.Where(l => bridges.Contains(l.Name)).Select(l => l.Index).ToHashSet();
                foreach (var l in links.Where(l => l.Kind == "veth" && bridgeIndexes.Contains(l.MasterIndex) && !knownVeths.Contains(l.Name)))
                {
                    _logger.LogInformation("network: removing leaked interface {Link}", l.Name);
                    _nl.DeleteLink(l.Name);
                }

                return 0;
            }).ConfigureAwait(false);

            var knownNetns = _sandboxes.Values.Select(s => s.NetnsPath).ToHashSet(StringComparer.Ordinal);
            if (Directory.Exists(NetnsDirectory))
            {
                foreach (var f in Directory.EnumerateFiles(NetnsDirectory).Concat(NetNamespace.ListBound(NetnsDirectory)).Distinct().Where(f => !knownNetns.Contains(f)).ToList())
                {
                    _logger.LogInformation("network: removing leaked namespace {Path}", f);
                    NetNamespace.RemoveBound(f);
                }
            }

            await ApplyRulesetAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _dns.DisposeAsync().ConfigureAwait(false);
        await _ns.RunAsync(() =>
        {
            _nl?.Dispose();
            _nft?.Dispose();
            return 0;
        }).ConfigureAwait(false);
        _ns.Dispose();
        _gate.Dispose();
    }

    private void EnsureInitialized()
    {
        if (!_initialized)
        {
            throw new BerthException(ErrorKind.Unavailable, "networking is not initialised yet");
        }
    }

    private void Publish(string action, string actorId, Dictionary<string, string> attributes) =>
        _events?.Publish("network", action, actorId, attributes);

    /// <summary>In-memory state of one network: its record and address allocator.</summary>
    private sealed class NetworkState(NetworkRecord record)
    {
        public NetworkRecord Record { get; set; } = record;

        public AddressAllocator? Allocator { get; set; }

        public Ipv4Subnet? Subnet => Ipv4Subnet.TryParse(Record.Subnet, out var s) ? s : null;
    }

    /// <summary>Writes the nftables table from the current state (no-op with --iptables=false).</summary>
    private Task ApplyRulesetAsync()
    {
        if (!_options.Iptables)
        {
            return Task.CompletedTask;
        }

        var nets = _networks.Values.Where(n => n.Record.IsBridge && n.Subnet is not null)
            .OrderBy(n => n.Record.Created).ThenBy(n => n.Record.Name, StringComparer.Ordinal)
            .Select(n => new NatNetwork(n.Record.BridgeName, n.Subnet!.Value.ToString(), n.Record.Internal, n.Record.Masquerade)).ToList();
        var ports = _sandboxes.Values.SelectMany(s => s.Ports).ToList();
        var text = NftRuleset.Replace(_options.NftTable, nets, ports);
        return _ns.RunAsync(() => _nft!.Run(text));
    }
}
