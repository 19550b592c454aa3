using Berth.Api.Json;
using Berth.Core.Events;
using Berth.Daemon.Configuration;
using Berth.Daemon.Http.Images;
using Berth.Images;
using Berth.Storage.Metadata;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Daemon.Modules;

/// <summary>Composition of the image subsystem: services, JSON contexts and /images routes.</summary>
public static class ImagesModule
{
    public static void RegisterJson() => ApiJson.Register(ImagesJsonContext.Default);

    public static void AddServices(IServiceCollection services, DaemonOptions options)
    {
        // One metadata database for the whole engine; other modules use the same singleton.
        services.TryAddSingleton(_ => new EngineDatabase(options.DataRoot));
        var holdCommit = Environment.GetEnvironmentVariable("BERTH_TEST_HOLD_COMMIT") is { Length: > 0 } h ? h : null;
        services.AddSingleton(sp => new ImageService(
            // BERTH_TEST_HOLD_COMMIT: fault injection for crash tests (ImageServiceOptions.CommitHoldPoint).
            new ImageServiceOptions(options.DataRoot) { LayerExpansionLimit = options.LayerExpansionLimit, CommitHoldPoint = holdCommit },
            sp.GetRequiredService<EngineDatabase>(),
            sp.GetRequiredService<EventBus>(),
            sp.GetRequiredService<TimeProvider>(),
            // Resolved at request time: the container module registers IImageUsage; until it does, no image is in use.
            () => sp.GetService<IImageUsage>()));
    }

    public static void Map(IEndpointRouteBuilder api) => ImageRoutes.Map(api);

    public static Task StartAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<ImageService>().StartAsync(cancellationToken);
}
