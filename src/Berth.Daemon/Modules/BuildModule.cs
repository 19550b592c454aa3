using Berth.Api.Json;
using Berth.Daemon.Http.Build;

namespace Berth.Daemon.Modules;

/// <summary>Composition of the build resource: for now only /build/prune (there is no builder, hence no cache).</summary>
public static class BuildModule
{
    public static void RegisterJson() => ApiJson.Register(BuildJsonContext.Default);

    public static void Map(IEndpointRouteBuilder api) => BuildRoutes.Map(api);
}
