using Berth.Api.Json;
using Berth.Core.Errors;
using Berth.Core.Events;
using Berth.Daemon.Configuration;
using Berth.Daemon.Http;
using Berth.Daemon.Modules;

namespace Berth.Daemon;

/// <summary>
/// The composition root: builds the web host, listens on every -H address, registers each
/// resource module explicitly (no scanning, so trimming stays safe) and runs until signalled.
/// </summary>
public static class DaemonHost
{
    public static Task RunAsync(DaemonOptions options, CancellationToken cancellationToken) =>
        RunAsync(options, replaceServices: null, cancellationToken);

    /// <summary>
    /// Runs the daemon; <paramref name="replaceServices"/> (component tests only; berthd passes
    /// null) runs after every module has registered its services, to put fakes in place of what
    /// touches the OS (the container runtime). Everything else is composed as in berthd.
    /// </summary>
    public static async Task RunAsync(DaemonOptions options, Action<IServiceCollection>? replaceServices, CancellationToken cancellationToken)
    {
        if (options.UserlandProxy)
        {
            throw BerthException.Invalid("userland-proxy=true is not supported: Berth forwards published ports in the kernel (nftables DNAT), as dockerd does with userland-proxy=false");
        }

        var listeners = DaemonListeners.Plan(options);
        // Modes are set (and corrected on existing directories) whatever the umask: see docs/ARCHITECTURE.md, "State".
        Berth.Platform.Files.StateDirectory.Ensure(options.DataRoot, Berth.Platform.Files.StateDirectory.DataRoot);
        Berth.Platform.Files.StateDirectory.Ensure(options.ExecRoot, Berth.Platform.Files.StateDirectory.Traversable);
        WritePidFile(options.PidFile);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; c.UseUtcTimestamp = true; });
        builder.Logging.SetMinimumLevel(ParseLevel(options.LogLevel));
        builder.Logging.AddFilter("Microsoft.AspNetCore", options.LogLevel == "debug" ? LogLevel.Debug : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);

        var limits = new EdgeLimits();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null; // image loads and archives are large; BodySizeLimitMiddleware caps every other route
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(10);
            k.Limits.MaxRequestLineSize = limits.MaxRequestLineSize;
            k.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
            k.Limits.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
            k.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
            k.AddServerHeader = false;
            listeners.Configure(k, limits);
        });

        ApiJson.Register(SystemJsonContext.Default);
        ImagesModule.RegisterJson();
        ContainersModule.RegisterJson();
        VolumesModule.RegisterJson();
        NetworksModule.RegisterJson();
        BuildModule.RegisterJson();
        builder.Services.ConfigureHttpJsonOptions(j => ApiJson.Configure(j.SerializerOptions));

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(limits);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EventBus>();
        builder.Services.AddSingleton<IdleMemoryTrimmer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IdleMemoryTrimmer>());
        SystemModule.AddServices(builder.Services, options);
        ImagesModule.AddServices(builder.Services, options);
        ContainersModule.AddServices(builder.Services, options);
        VolumesModule.AddServices(builder.Services, options);
        NetworksModule.AddServices(builder.Services, options);
        replaceServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseMiddleware<ActivityMiddleware>();
        app.UseMiddleware<ApiVersionMiddleware>();
        app.UseMiddleware<ErrorMiddleware>();
        app.UseWebSockets();
        app.UseRouting();
        app.UseMiddleware<BodySizeLimitMiddleware>();
        SystemModule.Map(app);
        ImagesModule.Map(app);
        ContainersModule.Map(app);
        VolumesModule.Map(app);
        NetworksModule.Map(app);
        BuildModule.Map(app);
        SwarmModule.Map(app);
        PluginsModule.Map(app);
        app.MapFallback(context => ErrorWriter.WriteAsync(context, StatusCodes.Status404NotFound, "page not found"));

        await ImagesModule.StartAsync(app.Services, cancellationToken).ConfigureAwait(false);
        await NetworksModule.StartAsync(app.Services, cancellationToken).ConfigureAwait(false);
        await ContainersModule.StartAsync(app.Services, cancellationToken).ConfigureAwait(false);

        // Not app.RunAsync: it disposes the services before the containers could be stopped.
        var shutdownContainers = ContainersModule.ShutdownStep(app.Services);
        try
        {
            var edgeLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Berth.Daemon.Listeners");
            foreach (var warning in listeners.Warnings())
            {
                edgeLog.LogWarning("{Warning}", warning);
            }

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            listeners.SecureUnixSockets(w => edgeLog.LogWarning("{Warning}", w));
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await shutdownContainers().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            if (options.PidFile is { } pf)
            {
                File.Delete(pf);
            }

            listeners.RemoveUnixSockets();
        }
    }

    private static void WritePidFile(string? path)
    {
        if (path is null)
        {
            return;
        }

        if (File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var old) && old != Environment.ProcessId && Directory.Exists($"/proc/{old}"))
        {
            throw BerthException.Conflict($"pid file found, ensure berthd is not running or delete {path}");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static LogLevel ParseLevel(string level) => level switch
    {
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "fatal" => LogLevel.Critical,
        _ => throw BerthException.Invalid($"unable to parse logging level: {level}"),
    };
}
