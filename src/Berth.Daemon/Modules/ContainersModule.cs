using Berth.Api.Json;
using Berth.Containers;
using Berth.Daemon.Configuration;
using Berth.Daemon.Http.Containers;
using Berth.Images;
using Berth.Runtime;

namespace Berth.Daemon.Modules;

/// <summary>Composition of the container subsystem: runtime, monitor, services and /containers, /exec, /info routes.</summary>
public static partial class ContainersModule
{
    public static void RegisterJson() => ApiJson.Register(ContainersJsonContext.Default);

    public static void AddServices(IServiceCollection services, DaemonOptions options)
    {
        // Read now: a missing or malformed profile file stops the daemon at start, as in dockerd.
        var seccompDefault = Berth.Runtime.Oci.SeccompDefault.Parse(options.SeccompProfile);

        // dockerd's setupDefaultLogConfig: daemon.json log-opts are checked at start.
        if (options.LogOpts.Count > 0)
        {
            try
            {
                _ = Berth.Runtime.Logging.LogDriver.Resolve(options.LogDriver, options.LogOpts);
            }
            catch (Berth.Core.Errors.BerthException e)
            {
                throw new Berth.Core.Errors.BerthException(e.Kind, $"failed to set log opts: {e.Message}");
            }
        }

        services.AddSingleton(new ContainerServiceOptions
        {
            DataRoot = options.DataRoot,
            CgroupParent = options.CgroupParent,
            DefaultRuntime = options.DefaultRuntime,
            Runtimes = [.. options.Runtimes.Keys],
            DefaultLogDriver = options.LogDriver,
            DefaultLogOptions = options.LogOpts,
            DefaultShmSize = options.DefaultShmSize is { } shm ? Berth.Containers.Create.MountParser.ParseSize(shm) : 64L * 1024 * 1024,
            Dns = options.Dns,
            DefaultUlimits = options.DefaultUlimits,
            LiveRestore = options.LiveRestore,
            CgroupV2 = File.Exists("/sys/fs/cgroup/cgroup.controllers"),
            CgroupFeatures = Berth.Platform.Cgroups.CgroupFeatures.Detect(),
            ExecCollectInterval = int.TryParse(Environment.GetEnvironmentVariable("BERTH_EXEC_COLLECT_SECONDS"), out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : Berth.Containers.ContainerServiceOptions.DefaultExecCollectInterval,
        });
        services.AddSingleton<IContainerRuntime>(sp => new RuncRuntime(new RuntimeOptions
        {
            ExecRoot = options.ExecRoot,
            ContainersDir = Path.Combine(options.DataRoot, "containers"),
            Runtimes = RuntimePaths(options.Runtimes),
            DefaultRuntime = options.DefaultRuntime,
            CgroupParent = options.CgroupParent,
            SeccompDefault = seccompDefault,
            Warn = message => LogRuntimeWarning(sp.GetRequiredService<ILoggerFactory>().CreateLogger("Berth.Runtime"), message),
        }));
        services.AddSingleton<IContainerImages>(sp => new ImageServiceImages(sp.GetRequiredService<ImageService>()));
        services.AddSingleton(sp => new ContainerEngine(
            sp.GetRequiredService<ContainerServiceOptions>(),
            sp.GetRequiredService<IContainerRuntime>(),
            sp.GetRequiredService<IContainerImages>(),
            sp.GetRequiredService<Berth.Core.Events.EventBus>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ContainerEngine>>(),
            sp.GetRequiredService<Berth.Volumes.VolumeService>(),
            sp.GetRequiredService<Berth.Networking.NetworkService>()));

        // Each route group sees only its backend interface; the engine's owners implement them.
        services.AddSingleton<IContainerLifecycle>(sp => sp.GetRequiredService<ContainerEngine>().Lifecycle);
        services.AddSingleton<IContainerCreator>(sp => sp.GetRequiredService<ContainerEngine>().Creator);
        services.AddSingleton<IContainerExec>(sp => sp.GetRequiredService<ContainerEngine>().Exec);
        services.AddSingleton<IContainerArchive>(sp => sp.GetRequiredService<ContainerEngine>().Archive);
        services.AddSingleton<IContainerCommit>(sp => sp.GetRequiredService<ContainerEngine>().Commits);
        services.AddSingleton<IContainerStreams>(sp => sp.GetRequiredService<ContainerEngine>().Streams);
        services.AddSingleton<IContainerQueries>(sp => sp.GetRequiredService<ContainerEngine>().Queries);
        services.AddSingleton<Berth.Networking.IContainerNetworkConnector>(sp => sp.GetRequiredService<ContainerEngine>().NetworkConnector);
        services.AddSingleton<Berth.Volumes.IVolumeUsage>(sp => new ContainerVolumeUsage(sp.GetRequiredService<IContainerQueries>()));
        services.AddSingleton<IImageUsage>(sp => new ContainerImageUsage(sp.GetRequiredService<IContainerQueries>()));
    }

    /// <summary>daemon.json runtimes may name a binary on PATH; the runtime wants absolute paths.</summary>
    private static Dictionary<string, string> RuntimePaths(IReadOnlyDictionary<string, string> configured)
    {
        var result = new Dictionary<string, string>(new RuntimeOptions { ExecRoot = "/", ContainersDir = "/" }.Runtimes, StringComparer.Ordinal);
        foreach (var (name, path) in configured)
        {
            if (Path.IsPathRooted(path))
            {
                result[name] = path;
                continue;
            }

            var found = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
                .Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, path))
                .FirstOrDefault(File.Exists);
            if (found is not null)
            {
                result[name] = found;
            }
            else
            {
                result.TryAdd(name, path);
            }
        }

        return result;
    }

    public static void Map(IEndpointRouteBuilder api)
    {
        ContainerRoutes.Map(api);
        CommitExportRoutes.Map(api);
        ArchiveRoutes.Map(api);
        ExecRoutes.Map(api);
        InfoRoutes.Map(api);
    }

    /// <summary>Restores containers after a daemon restart (live restore) and starts the restart manager.</summary>
    public static Task StartAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<ContainerEngine>().InitializeAsync(cancellationToken);

    /// <summary>
    /// What to run once the server has stopped. Resolved up front: by then the host has disposed
    /// its service provider.
    /// </summary>
    public static Func<Task> ShutdownStep(IServiceProvider services)
    {
        var containers = services.GetRequiredService<ContainerEngine>();
        return containers.ShutdownAsync;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Message}")]
    private static partial void LogRuntimeWarning(ILogger logger, string message);
}
