using Berth.Daemon.Http.Distribution;
using Berth.Daemon.Http.Plugins;

namespace Berth.Daemon.Modules;

/// <summary>Plugins (none can be installed) and distribution inspect (no registry client yet).</summary>
public static class PluginsModule
{
    public static void Map(IEndpointRouteBuilder api)
    {
        PluginRoutes.Map(api);
        DistributionRoutes.Map(api);
    }
}
