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

        Directory.CreateDirectory(options.DataRoot);
        Directory.CreateDirectory(options.ExecRoot);
        WritePidFile(options.PidFile);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; c.UseUtcTimestamp = true; });
        builder.Logging.SetMinimumLevel(ParseLevel(options.LogLevel));
        builder.Logging.AddFilter("Microsoft.AspNetCore", options.LogLevel == "debug" ? LogLevel.Debug : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null; // image loads and archives are large; routes cap JSON bodies themselves
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(10);
            k.AddServerHeader = false;
            foreach (var host in options.Hosts)
            {
                Listen(k, host);
            }
        });

        ApiJson.Register(SystemJsonContext.Default);
        ImagesModule.RegisterJson();
        ContainersModule.RegisterJson();
        VolumesModule.RegisterJson();
        NetworksModule.RegisterJson();
        BuildModule.RegisterJson();
        builder.Services.ConfigureHttpJsonOptions(j => ApiJson.Configure(j.SerializerOptions));

        builder.Services.AddSingleton(options);
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
        app.UseMiddleware<BodySizeLimitMiddleware>();
        app.UseRouting();
        SystemModule.Map(app);
        ImagesModule.Map(app);
        ContainersModule.Map(app);
        VolumesModule.Map(app);
        NetworksModule.Map(app);
        BuildModule.Map(app);
        app.MapFallback(context => ErrorWriter.WriteAsync(context, StatusCodes.Status404NotFound, "page not found"));

        await ImagesModule.StartAsync(app.Services, cancellationToken).ConfigureAwait(false);
        await NetworksModule.StartAsync(app.Services, cancellationToken).ConfigureAwait(false);
        await ContainersModule.StartAsync(app.Services, cancellationToken).ConfigureAwait(false);

        // Not app.RunAsync: it disposes the services before the containers could be stopped.
        var shutdownContainers = ContainersModule.ShutdownStep(app.Services);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
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

            foreach (var host in options.Hosts.Where(h => h.StartsWith("unix://", StringComparison.Ordinal)))
            {
                File.Delete(host["unix://".Length..]);
            }
        }
    }

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions k, string host)
    {
        if (host.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = host["unix://".Length..];
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (File.Exists(path))
            {
                File.Delete(path); // a stale socket from a killed daemon; the pid file guards against two live ones
            }

            k.ListenUnixSocket(path, l => l.Use(HijackConnectionMiddleware.Create()));
        }
        else if (host.StartsWith("tcp://", StringComparison.Ordinal))
        {
            var uri = new Uri(host);
            var address = uri.Host is "0.0.0.0" or "" ? System.Net.IPAddress.Any : System.Net.IPAddress.Parse(uri.Host);
            k.Listen(address, uri.Port <= 0 ? 2375 : uri.Port, l => l.Use(HijackConnectionMiddleware.Create()));
        }
        else
        {
            throw BerthException.Invalid($"invalid daemon address {host}: only unix:// and tcp:// are supported");
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
