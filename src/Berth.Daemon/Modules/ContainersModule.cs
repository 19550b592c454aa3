using Berth.Daemon.Configuration;

namespace Berth.Daemon.Modules;

/// <summary>Composition of the container subsystem: runtime, monitor, services and /containers, /exec routes.</summary>
public static class ContainersModule
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

    /// <summary>Restores containers after a daemon restart (live restore) and starts the restart manager.</summary>
    public static Task StartAsync(IServiceProvider services, CancellationToken cancellationToken) => Task.CompletedTask;

    public static Task StopAsync(IServiceProvider services) => Task.CompletedTask;
}
