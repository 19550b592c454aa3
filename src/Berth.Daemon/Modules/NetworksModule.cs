using Berth.Api.Json;
using Berth.Core.Events;
using Berth.Daemon.Configuration;
using Berth.Daemon.Http.Networks;
using Berth.Networking;
using Berth.Networking.Ipam;

namespace Berth.Daemon.Modules;

/// <summary>Composition of networking: drivers, IPAM, port mapping, embedded DNS and /networks routes.</summary>
public static class NetworksModule
{
    public static void RegisterJson() => ApiJson.Register(NetworksJsonContext.Default);

    public static void AddServices(IServiceCollection services, DaemonOptions options)
    {
        services.AddSingleton(sp => new NetworkService(
            ServiceOptions(options),
            sp.GetRequiredService<EventBus>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Berth.Networking")));
    }

    /// <summary>The daemon's settings as the networking service takes them.</summary>
    public static NetworkServiceOptions ServiceOptions(DaemonOptions options) => new()
    {
        DataRoot = options.DataRoot,
        ExecRoot = options.ExecRoot,
        BridgeName = options.Bridge,
        Bip = options.Bip,
        FixedCidr = options.FixedCidr,
        DefaultAddressPools = options.DefaultAddressPools.Count > 0
            ? [.. options.DefaultAddressPools.Select(p => new AddressPool(p.Base, p.Size))]
            : AddressPool.Defaults,
        Iptables = options.Iptables,
        IpForward = options.IpForward,
        Dns = options.Dns,
        DnsSearch = options.DnsSearch,
        DnsOptions = options.DnsOptions,
        Mtu = options.Mtu,
    };

    public static void Map(IEndpointRouteBuilder api) => NetworkRoutes.Map(api);

    /// <summary>
    /// Creates the predefined networks and reopens what running containers need (bridges, nftables
    /// table, DNS sockets). The container service then calls NetworkService.ReconcileAsync with the
    /// ids of the containers that are alive, which releases everything else.
    /// </summary>
    public static Task StartAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<NetworkService>().InitializeAsync(cancellationToken);
}
