using Berth.Core.Errors;
using Berth.Core.Events;
using Berth.Networking.Dns;
using Berth.Networking.Ipam;
using Berth.Networking.Model;
using Berth.Networking.Networks;
using Berth.Networking.Ports;
using Berth.Networking.Sandboxes;
using Berth.Networking.Store;
using Berth.Platform.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Networking;

/// <summary>
/// Berth's network controller, as the routes and the container service see it: networks
/// (bridge, macvlan, ipvlan, plus the predefined bridge, host and none), container sandboxes
/// (a netns per container with veth/macvlan/ipvlan endpoints), published ports (nftables DNAT)
/// and the embedded DNS server. A facade over the owners that do the work.
/// <para>
/// Lifecycle, as the daemon drives it: <see cref="InitializeAsync"/> at start-up (predefined
/// networks, bridges, the nftables table, DNS sockets of containers that kept running);
/// <see cref="ReconcileAsync"/> once the container service knows which containers are alive;
/// <see cref="AttachAsync"/> before a container starts and <see cref="DetachAsync"/> after it
/// stopped; <see cref="ConnectAsync"/>/<see cref="DisconnectAsync"/> for running containers.
/// </para>
/// </summary>
/// <remarks>
/// Owners, each with its own lock, taken only in this order (a later lock is never held while an
/// earlier one is taken, so no cycle can form):
/// <list type="number">
/// <item><see cref="NetworkTable"/> (network records and bridges): one async lock for create,
/// remove and prune; lookups read an immutable snapshot without it.</item>
/// <item><see cref="SandboxTable"/> (namespaces, endpoints, hosts and resolv.conf): one async lock
/// per container (striped); only one is ever held at a time.</item>
/// <item><see cref="PortMapper"/> (published ports and the nftables table): one async lock
/// ordering the table's writes.</item>
/// <item>Leaves, held for a few in-memory operations and never while taking another lock or
/// waiting for the kernel: each network's IPAM pool (<see cref="IpamPools"/>), the port
/// allocator inside <see cref="PortMapper"/>, the DNS registry (<see cref="ContainerDns"/>).</item>
/// </list>
/// Kernel work is queued to the <see cref="INetworkKernel"/>, which runs one work item at a time
/// and takes no lock. Every sandbox is written to disk (and published to readers) before its
/// kernel objects are made, so a crash at any point can be undone at start-up.
/// </remarks>
public sealed class NetworkService : IAsyncDisposable
{
    private readonly EventBus? _events;
    private readonly INetworkKernel _kernel;
    private readonly IpamPools _ipam = new();
    private readonly ContainerDns _dns;
    private readonly NetworkTable _networks;
    private readonly PortMapper _ports;
    private readonly SandboxTable _sandboxes;
    private volatile bool _initialized;

    /// <summary>A controller on the real kernel (its namespace thread lives in <see cref="NetworkServiceOptions.HostNamespace"/>).</summary>
    public NetworkService(NetworkServiceOptions options, EventBus? events = null, TimeProvider? time = null, ILogger? logger = null)
        : this(options, new LinuxNetworkKernel("berth-netns", options.HostNamespace), events, time, logger)
    {
    }

    /// <summary>A controller on the given kernel (component tests give a fake); it is disposed with the controller.</summary>
    public NetworkService(NetworkServiceOptions options, INetworkKernel kernel, EventBus? events = null, TimeProvider? time = null, ILogger? logger = null)
    {
        Options = options;
        _events = events;
        _kernel = kernel;
        logger ??= NullLogger.Instance;
        var store = new NetworkStore(options.DataRoot);
        NetworkTable? networks = null;
        _dns = new ContainerDns(options, kernel, id => networks!.TryGet(id), logger);
        _networks = networks = new NetworkTable(options, kernel, store, time ?? TimeProvider.System, _ipam, _dns, (action, n) => Publish(action, n, null));
        _ports = new PortMapper(options, kernel, _networks.NatNetworks);
        _networks.Ports = _ports;
        _sandboxes = new SandboxTable(options, kernel, store, _networks, _ipam, _ports, _dns, (action, n, container) => Publish(action, n, container), logger);
    }

    /// <summary>The embedded DNS server (exposed for tests and diagnostics).</summary>
    public EmbeddedDnsServer Dns => _dns.Server;

    /// <summary>The DNS records (exposed for tests and leak checks).</summary>
    public DnsRegistry DnsRecords => _dns.Registry;

    public NetworkServiceOptions Options { get; }

    /// <summary>Where container namespaces are bound.</summary>
    public string NetnsDirectory => _sandboxes.NetnsDirectory;

    /// <summary>The owners, for tests that hold one's lock to show what does not wait for it.</summary>
    internal NetworkTable Networks => _networks;

    internal SandboxTable Sandboxes => _sandboxes;

    internal PortMapper Ports => _ports;

    internal IpamPools Ipam => _ipam;

    /// <summary>
    /// Loads stored networks and sandboxes, creates the predefined networks and their bridges,
    /// writes the nftables table and reopens the DNS sockets of sandboxes whose namespace still
    /// exists (containers that kept running while the daemon was down). Sandboxes whose namespace
    /// is gone are torn down. Runs before anything else uses the service.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        using var held = await _networks.Lock.EnterAsync(cancellationToken).ConfigureAwait(false);
        if (Options.IpForward)
        {
            await _kernel.RunAsync(host =>
            {
                host.WriteSysctl("net/ipv4/ip_forward", "1");
                return 0;
            }).ConfigureAwait(false);
        }

        await _ports.InitializeAsync().ConfigureAwait(false);
        await _networks.LoadAsync().ConfigureAwait(false);
        _sandboxes.Load();
        await _networks.EnsureBridgesAsync().ConfigureAwait(false);
        await _sandboxes.ReopenAsync().ConfigureAwait(false);
        await _ports.ApplyRulesetAsync().ConfigureAwait(false);
        _initialized = true;
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
        EnsureInitialized();
        await _sandboxes.ReconcileAsync(liveContainerIds.ToHashSet(StringComparer.Ordinal)).ConfigureAwait(false);
        await _ports.ApplyRulesetAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _dns.DisposeAsync().ConfigureAwait(false);
        _kernel.Dispose();
    }

    /// <summary>Creates a network; returns its id. Docker's errors: name taken (409), overlapping pool (403).</summary>
    public async Task<string> CreateNetworkAsync(NetworkCreateSpec spec, CancellationToken cancellationToken)
    {
        EnsureInitialized();
        return (await _networks.CreateAsync(spec, cancellationToken).ConfigureAwait(false)).Id;
    }

    /// <summary>Finds a network by id, name or unique id prefix (Docker's order) and snapshots it.</summary>
    public Task<NetworkView> GetNetworkAsync(string idOrName, CancellationToken cancellationToken) =>
        Task.FromResult(View(_networks.Find(idOrName)));

    /// <summary>All networks, oldest first (predefined ones first).</summary>
    public Task<IReadOnlyList<NetworkView>> ListNetworksAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<NetworkView>>([.. _networks.All.Select(View)]);

    public Task RemoveNetworkAsync(string idOrName, CancellationToken cancellationToken)
    {
        EnsureInitialized();
        return _networks.RemoveAsync(idOrName, cancellationToken);
    }

    /// <summary>Removes every user-defined network without endpoints that <paramref name="filter"/> accepts; returns their names.</summary>
    public Task<IReadOnlyList<string>> PruneNetworksAsync(Func<NetworkView, bool> filter, CancellationToken cancellationToken)
    {
        EnsureInitialized();
        return _networks.PruneAsync(n => View(n) is var v && v.Endpoints.Count == 0 && filter(v), cancellationToken);
    }

    /// <summary>
    /// Checks a container's network settings at create time (Docker refuses them there): the
    /// networks exist, aliases and --ip are only used where Docker allows them, ports parse.
    /// </summary>
    public Task ValidateAsync(ContainerNetworkRequest request, CancellationToken cancellationToken)
    {
        _sandboxes.Validate(request);
        return Task.CompletedTask;
    }

    /// <inheritdoc cref="SandboxTable.AttachAsync"/>
    public Task<NetworkAttachment> AttachAsync(ContainerNetworkRequest request, CancellationToken cancellationToken)
    {
        EnsureInitialized();
        return _sandboxes.AttachAsync(request, cancellationToken);
    }

    /// <inheritdoc cref="SandboxTable.DetachAsync"/>
    public Task DetachAsync(string containerId, CancellationToken cancellationToken) => _sandboxes.DetachAsync(containerId, cancellationToken);

    /// <summary>The current attachment of a running container (null when it has no sandbox).</summary>
    public Task<NetworkAttachment?> GetAttachmentAsync(string containerId, CancellationToken cancellationToken) =>
        Task.FromResult(_sandboxes.GetAttachment(containerId));

    /// <summary>Finds a container that has a sandbox by id, name or unique id prefix (for the connect routes when no container service answers).</summary>
    public Task<string?> FindSandboxContainerAsync(string idOrName, CancellationToken cancellationToken) =>
        Task.FromResult(_sandboxes.FindContainer(idOrName));

    /// <inheritdoc cref="SandboxTable.ConnectAsync"/>
    public Task<NetworkAttachment> ConnectAsync(string containerId, string network, EndpointRequest endpoint, CancellationToken cancellationToken)
    {
        EnsureInitialized();
        return _sandboxes.ConnectAsync(containerId, network, endpoint, cancellationToken);
    }

    /// <inheritdoc cref="SandboxTable.DisconnectAsync"/>
    public Task<NetworkAttachment> DisconnectAsync(string containerId, string network, bool force, CancellationToken cancellationToken)
    {
        EnsureInitialized();
        return _sandboxes.DisconnectAsync(containerId, network, force, cancellationToken);
    }

    private NetworkView View(NetworkRecord n) => new(n, _sandboxes.EndpointsOn(n.Id));

    private void EnsureInitialized()
    {
        if (!_initialized)
        {
            throw new BerthException(ErrorKind.Unavailable, "networking is not initialised yet");
        }
    }

    private void Publish(string action, NetworkRecord n, string? container)
    {
        var attributes = new Dictionary<string, string>();
        if (container is not null)
        {
            attributes["container"] = container;
        }

        attributes["name"] = n.Name;
        attributes["type"] = n.Driver;
        _events?.Publish("network", action, n.Id, attributes);
    }
}
