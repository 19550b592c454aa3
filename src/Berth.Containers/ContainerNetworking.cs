using System.Globalization;
using Berth.Containers.Create;
using Berth.Containers.Model;
using Berth.Core.Errors;
using Berth.Networking;
using Berth.Networking.Model;
using Berth.Networking.Ports;

namespace Berth.Containers;

/// <summary>
/// A container's networks: checked at create, attached just before its process starts and
/// released as soon as its exit is seen; legacy links; network connect and disconnect under the
/// container's lock; the namespaces (net, ipc, pid) a container joins of another.
/// </summary>
internal sealed class ContainerNetworking(ContainerCore core) : ContainerOwner(core)
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<PortBindingRequest>> NoPortBindings =
        new Dictionary<string, IReadOnlyList<PortBindingRequest>>();

    /// <summary>
    /// Create-time network checks (Docker refuses bad network settings at create, not at start):
    /// the networks exist, aliases/--ip/ports are allowed there, link targets exist. Returns the
    /// endpoints keyed by network name, the NetworkMode network included.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, EndpointRequest>> PrepareNetworkAsync(
        HostConfig hc, ContainerConfig config, IReadOnlyDictionary<string, EndpointRequest> requested, CancellationToken cancellationToken)
    {
        var mode = hc.NetworkMode;
        foreach (var link in hc.Links ?? [])
        {
            var target = link.Split(':')[0].TrimStart('/');
            if (_store.Snapshot.Find(target) is null)
            {
                throw BerthException.NotFound($"could not get container for {target}");
            }
        }

        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            if (requested.Values.Any(e => e.Aliases.Count > 0))
            {
                throw BerthException.Invalid("network-scoped alias is supported only for containers in user defined networks");
            }

            if (hc.PortBindings is { Count: > 0 } || hc.PublishAllPorts)
            {
                throw BerthException.Invalid("conflicting options: port publishing and the container type network mode");
            }

            return new Dictionary<string, EndpointRequest>(StringComparer.Ordinal);
        }

        if (Networks is null)
        {
            if (mode is not ("bridge" or "none" or "host"))
            {
                throw BerthException.NotFound($"network {mode} not found");
            }

            return new Dictionary<string, EndpointRequest>(StringComparer.Ordinal) { [mode] = new EndpointRequest() };
        }

        // The CLI keys the NetworkMode network's endpoint by the name it was given ("default" for none given).
        // A network that does not exist is found missing at start, as Docker does: a 404 from create
        // would make the docker CLI try to pull the image.
        var missing = false;
        var primaryName = mode is "host" or "none" ? mode : await NetworkNameAsync(mode).ConfigureAwait(false);
        var endpoints = new Dictionary<string, EndpointRequest>(StringComparer.Ordinal);
        EndpointRequest? primary = null;
        foreach (var (key, ep) in requested)
        {
            if (key == "default" || key == mode || key == primaryName)
            {
                primary = ep;
                continue;
            }

            var name = await NetworkNameAsync(key).ConfigureAwait(false);
            if (name == primaryName)
            {
                primary = ep;
            }
            else
            {
                endpoints[name] = ep;
            }
        }

        primary ??= new EndpointRequest();
        if (string.IsNullOrEmpty(primary.MacAddress) && !string.IsNullOrEmpty(config.MacAddress))
        {
            primary = primary with { MacAddress = config.MacAddress };
        }

        if (primary.Links.Count == 0 && hc.Links is { Count: > 0 } links)
        {
            primary = primary with { Links = [.. links] };
        }

        endpoints[primaryName] = primary;
        if (!missing)
        {
            await Networks.ValidateAsync(NetworkRequest(hc, config, mode, endpoints, string.Empty, string.Empty), cancellationToken).ConfigureAwait(false);
        }

        return endpoints;

        async Task<string> NetworkNameAsync(string idOrName)
        {
            try
            {
                return (await Networks.GetNetworkAsync(idOrName, cancellationToken).ConfigureAwait(false)).Network.Name;
            }
            catch (BerthException e) when (e.Kind == ErrorKind.NotFound)
            {
                missing = true;
                return idOrName;
            }
        }
    }

    /// <summary>
    /// Gives a container its network before its process starts: the namespace to join (or "none"/"host")
    /// and what it got. Writes the container's hosts and resolv.conf.
    /// </summary>
    public async Task<(string RuntimeMode, ContainerNetworkState? State)> AttachNetworkAsync(Container c)
    {
        var mode = c.HostConfig.NetworkMode;
        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            mode = "container:" + ResolveNamespace(mode, "net", c);
        }

        if (Networks is null)
        {
            return (mode switch
            {
                "host" => "host",
                _ when mode.StartsWith("container:", StringComparison.Ordinal) => mode["container:".Length..],
                _ => "none",
            }, null);
        }

        var request = NetworkRequest(c.HostConfig, c.Config, mode, c.NetworkEndpoints, c.HostsPath, c.ResolvConfPath) with
        {
            ContainerId = c.Id,
            ContainerName = c.Name,
        };
        var attachment = await Networks.AttachAsync(request, CancellationToken.None).ConfigureAwait(false);
        return (attachment.RuntimeNetworkMode, ContainerNetworkState.From(attachment));
    }

    /// <summary>
    /// The namespace a mode joins: "host", a path for "container:x" (another container's bound
    /// network namespace, or its process's), or empty for the container's own.
    /// </summary>
    public string ResolveNamespace(string mode, string kind, Container self)
    {
        if (mode is "host")
        {
            return "host";
        }

        if (!mode.StartsWith("container:", StringComparison.Ordinal))
        {
            return string.Empty;
        }

        var target = _store.Snapshot.Find(mode["container:".Length..]) ?? throw BerthException.NotFound($"No such container: {mode["container:".Length..]}");
        var what = kind == "net" ? "network" : kind;
        if (target.Id == self.Id)
        {
            throw BerthException.Invalid($"cannot join own {what} namespace");
        }

        if (!target.State.IsActive || target.State.Pid <= 0)
        {
            throw BerthException.Conflict($"cannot join {what} namespace of a non running container: container {target.Name} is {target.State.Status}");
        }

        // Another container's own network namespace is joined by its bound path, which outlives a pid.
        return kind == "net" && target.Network is { SandboxKey.Length: > 0 } sandbox
            ? sandbox.SandboxKey
            : string.Create(CultureInfo.InvariantCulture, $"/proc/{target.State.Pid}/ns/{kind}");
    }

    /// <summary>
    /// The variables of a container's legacy links, as dockerd gives them: only a container on the
    /// default bridge gets them, for each linked container that is running there (one that is not
    /// gets no variables; its hosts entry is missing too).
    /// </summary>
    public List<string> LinkEnvironmentOf(Container c, ContainerNetworkState? network)
    {
        var env = new List<string>();
        var links = c.HostConfig.Links ?? [];
        if (links.Count == 0 || network?.Endpoints.Any(e => e.NetworkName == "bridge") != true)
        {
            return env;
        }

        foreach (var link in links)
        {
            var (target, alias) = ParseLink(link);
            var child = _store.Snapshot.Find(target);
            var ip = child is { State.Running: true } ? child.Network?.Endpoints.FirstOrDefault(e => e.NetworkName == "bridge")?.IPAddress : null;
            if (child is null || string.IsNullOrEmpty(ip))
            {
                continue;
            }

            env.AddRange(LinkEnvironment.For($"/{c.Name}/{alias}", ip, child.Config.Env, child.Config.ExposedPorts ?? []));
        }

        return env;
    }

    /// <summary>
    /// docker rm --link /parent/alias: removes the legacy link named so from the parent container
    /// (it applies from the parent's next start). NotFound "No such container: name" as dockerd
    /// when there is no such link; a container's own name is not a link name.
    /// </summary>
    public async Task RemoveLinkAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var full = "/" + name.TrimStart('/');
        var shown = full[1..];
        var slash = full.LastIndexOf('/');
        var parentName = full[..slash].TrimStart('/');
        var alias = full[(slash + 1)..];
        if (parentName.Length == 0 || alias.Length == 0)
        {
            if (_store.Snapshot.Find(full.TrimStart('/')) is null)
            {
                throw BerthException.NotFound($"No such container: {shown}");
            }

            throw new BerthException(ErrorKind.Internal, "Conflict, cannot remove the default link name of the container");
        }

        var parent = _store.Snapshot.Find(parentName) is { } p && p.Name == parentName ? p : throw BerthException.NotFound($"No such container: {shown}");
        var entry = Entry(parent.Id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var c = Current(parent.Id);
            var links = c.HostConfig.Links ?? [];
            var kept = links.Where(l => ParseLink(l).Alias != alias).ToList();
            if (kept.Count == links.Count)
            {
                throw BerthException.NotFound($"No such container: {shown}");
            }

            var endpoints = c.NetworkEndpoints.ToDictionary(
                kv => kv.Key,
                kv => kv.Value.Links.Count == 0 ? kv.Value : kv.Value with { Links = [.. kv.Value.Links.Where(l => ParseLink(l).Alias != alias)] },
                StringComparer.Ordinal);
            Commit(c with { HostConfig = c.HostConfig with { Links = kept.Count > 0 ? kept : null }, NetworkEndpoints = endpoints });
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>"name:alias", "name" or Docker's "/name:/parent/alias" → (name, alias).</summary>
    private static (string Target, string Alias) ParseLink(string link)
    {
        var colon = link.IndexOf(':', StringComparison.Ordinal);
        var target = (colon < 0 ? link : link[..colon]).TrimStart('/');
        var alias = colon < 0 ? target : link[(colon + 1)..];
        return (target, alias[(alias.LastIndexOf('/') + 1)..]);
    }

    /// <summary>Releases what networking gave a stopped container (idempotent) and returns the record with the operational data cleared.</summary>
    public async Task<Container> ReleaseNetworkAsync(Container c)
    {
        if (Networks is not null)
        {
            try
            {
                await Networks.DetachAsync(c.Id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The daemon's next start reconciles what is left; the container must still stop.
                LogWarning(_logger, c.Id, "releasing the network", e);
            }
        }

        return c.Network is { } n ? c with { Network = n.Released() } : c;
    }

    private static ContainerNetworkRequest NetworkRequest(
        HostConfig hc, ContainerConfig config, string mode, IReadOnlyDictionary<string, EndpointRequest> endpoints, string hostsPath, string resolvConfPath) => new()
        {
            ContainerId = string.Empty,
            ContainerName = string.Empty,
            Hostname = config.Hostname,
            Domainname = config.Domainname,
            NetworkMode = mode,
            Endpoints = endpoints,
            PortBindings = hc.PortBindings ?? NoPortBindings,
            PublishAllPorts = hc.PublishAllPorts,
            ExposedPorts = config.ExposedPorts ?? [],
            ExtraHosts = hc.ExtraHosts ?? [],
            Dns = hc.Dns,
            DnsSearch = hc.DnsSearch,
            DnsOptions = hc.DnsOptions,
            HostsPath = hostsPath.Length > 0 ? hostsPath : null,
            ResolvConfPath = resolvConfPath.Length > 0 ? resolvConfPath : null,
        };

    /// <summary>
    /// docker network connect: a running container gets the interface now; a stopped one joins the
    /// network at its next start.
    /// </summary>
    public Task ConnectNetworkAsync(string idOrName, string network, EndpointRequest endpoint, CancellationToken cancellationToken) =>
        WithNetworksLockedAsync(idOrName, async (networks, c) =>
        {
            var id = c.Id;
            var net = (await networks.GetNetworkAsync(network, cancellationToken).ConfigureAwait(false)).Network;
            RefuseSharedNamespace(c, net.Driver);
            if (c.NetworkEndpoints.ContainsKey(net.Name) && !(c.State.Running && c.Network is { SandboxKey.Length: > 0 }))
            {
                throw new BerthException(ErrorKind.Forbidden, $"endpoint with name {c.Name} already exists in network {net.Name}");
            }

            var state = c.Network;
            if (c.State.Running && c.Network is { SandboxKey.Length: > 0 })
            {
                state = ContainerNetworkState.From(await networks.ConnectAsync(id, net.Id, endpoint, cancellationToken).ConfigureAwait(false));
            }

            var endpoints = new Dictionary<string, EndpointRequest>(c.NetworkEndpoints, StringComparer.Ordinal) { [net.Name] = endpoint };
            Commit(c with { NetworkEndpoints = endpoints, Network = state });
        }, cancellationToken);

    /// <summary>docker network disconnect: removes the interface of a running container and the network from its settings.</summary>
    public Task DisconnectNetworkAsync(string idOrName, string network, bool force, CancellationToken cancellationToken) =>
        WithNetworksLockedAsync(idOrName, async (networks, c) =>
        {
            var id = c.Id;
            NetworkRecord net;
            try
            {
                net = (await networks.GetNetworkAsync(network, cancellationToken).ConfigureAwait(false)).Network;
            }
            catch (BerthException e) when (e.Kind == ErrorKind.NotFound && force && c.NetworkEndpoints.ContainsKey(network))
            {
                // -f: the network is gone; forget it.
                Commit(c with { NetworkEndpoints = Without(c.NetworkEndpoints, network) });
                return;
            }

            if (net.Driver == "host" || c.HostConfig.NetworkMode == "host")
            {
                throw new BerthException(ErrorKind.Forbidden, "container cannot be disconnected from host network or connected to host network");
            }

            var state = c.Network;
            if (c.State.Running && c.Network is { SandboxKey.Length: > 0 } && c.Network.Endpoints.Any(e => e.NetworkId == net.Id))
            {
                state = ContainerNetworkState.From(await networks.DisconnectAsync(id, net.Id, force, cancellationToken).ConfigureAwait(false));
            }
            else if (!c.NetworkEndpoints.ContainsKey(net.Name))
            {
                throw new BerthException(ErrorKind.Forbidden, $"container {c.Id} is not connected to network {net.Name}");
            }
            else if (state is not null)
            {
                state = state with { Endpoints = [.. state.Endpoints.Where(e => e.NetworkId != net.Id)] };
            }

            Commit(c with { NetworkEndpoints = Without(c.NetworkEndpoints, net.Name), Network = state });
        }, cancellationToken);

    private static Dictionary<string, EndpointRequest> Without(IReadOnlyDictionary<string, EndpointRequest> all, string name) =>
        all.Where(kv => kv.Key != name).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>Runs a network change of one container under its lock, with its current record.</summary>
    private async Task WithNetworksLockedAsync(string idOrName, Func<NetworkService, Container, Task> change, CancellationToken cancellationToken)
    {
        var networks = Networks ?? throw BerthException.NotImplemented("networking is not available in this engine configuration");
        var id = Get(idOrName).Id;
        var entry = Entry(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await change(networks, Current(id)).ConfigureAwait(false);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Docker's refusals for containers whose network namespace is not their own bridge sandbox.</summary>
    private static void RefuseSharedNamespace(Container c, string networkDriver)
    {
        var mode = c.HostConfig.NetworkMode;
        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            throw new BerthException(ErrorKind.Forbidden, "container sharing network namespace with another container or host cannot be connected to any other network");
        }

        if (mode == "host" || networkDriver == "host")
        {
            throw new BerthException(ErrorKind.Forbidden, "container cannot be disconnected from host network or connected to host network");
        }

        if (mode == "none" || networkDriver == "null")
        {
            throw new BerthException(ErrorKind.Forbidden, "container cannot be connected to multiple networks with one of the networks in private (none) mode");
        }
    }
}
