using Berth.Api.Json;
using Berth.Core.Events;
using Berth.Daemon.Configuration;
using Berth.Daemon.Http.Volumes;
using Berth.Volumes;

namespace Berth.Daemon.Modules;

/// <summary>Composition of the volume subsystem: the local driver and /volumes routes.</summary>
public static class VolumesModule
{
    public static void RegisterJson() => ApiJson.Register(VolumesJsonContext.Default);

    public static void AddServices(IServiceCollection services, DaemonOptions options)
    {
        services.AddSingleton(sp => new VolumeService(
            options.DataRoot,
            sp.GetRequiredService<EventBus>(),
            sp.GetRequiredService<TimeProvider>(),
            // Resolved at request time: the container module registers IVolumeUsage (reference counts from container records).
            () => sp.GetService<IVolumeUsage>()));
    }

    public static void Map(IEndpointRouteBuilder api)
    {
        VolumeRoutes.Map(api);

        // system df spans images, containers and volumes; it lives with the newest of the three.
        Berth.Daemon.Http.SystemDf.DiskUsageRoutes.Map(api);
    }
}
