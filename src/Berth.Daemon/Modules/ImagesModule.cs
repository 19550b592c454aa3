using Berth.Daemon.Configuration;

namespace Berth.Daemon.Modules;

/// <summary>Composition of the image subsystem: services, JSON contexts and /images routes.</summary>
public static class ImagesModule
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

    public static Task StartAsync(IServiceProvider services, CancellationToken cancellationToken) => Task.CompletedTask;
}
