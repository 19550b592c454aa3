using Berth.Daemon.Http.Swarm;

namespace Berth.Daemon.Modules;

/// <summary>Swarm, services, nodes, tasks, secrets, configs: answered as an inactive node (no swarm mode yet).</summary>
public static class SwarmModule
{
    public static void Map(IEndpointRouteBuilder api) => SwarmRoutes.Map(api);
}
