using Berth.Daemon.Configuration;

namespace Berth.Daemon.Modules;

/// <summary>Composition of networking: drivers, IPAM, port mapping, embedded DNS and /networks routes.</summary>
public static class NetworksModule
{
    public static void RegisterJson()
    {
    }

    public static void AddServices(IServiceCollection services, DaemonOptions options)
    {
    }

    public static void Map(IEndpointRouteBuilder api)
    {
    }

    /// <summary>Creates the predefined networks and reconciles links, rules and DNS with stored state.</summary>
    public static Task StartAsync(IServiceProvider services, CancellationToken cancellationToken) => Task.CompletedTask;
}
