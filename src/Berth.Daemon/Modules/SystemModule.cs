using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Api.Engine;
using Berth.Core.Events;
using Berth.Daemon.Configuration;
using Berth.Daemon.Http;

namespace Berth.Daemon.Modules;

/// <summary>/_ping, /version, /info, /events.</summary>
public static class SystemModule
{
    public static void AddServices(IServiceCollection services, DaemonOptions options)
    {
    }

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapMethods("/_ping", ["GET", "HEAD"], (HttpContext c) =>
        {
            c.Response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
            c.Response.Headers.Pragma = "no-cache";
            c.Response.Headers["Builder-Version"] = "1";
            return Results.Text(HttpMethods.IsHead(c.Request.Method) ? string.Empty : "OK", "text/plain; charset=utf-8");
        });

        api.MapGet("/version", () => Results.Json(new VersionResponse
        {
            Version = DaemonInfo.Version,
            KernelVersion = KernelRelease(),
            Components = [new VersionComponent("Engine", DaemonInfo.Version, new Dictionary<string, string> { ["ApiVersion"] = ApiVersions.Current, ["MinAPIVersion"] = ApiVersions.Minimum, ["Os"] = "linux", ["Arch"] = "amd64" })],
        }, SystemJsonContext.Default.VersionResponse));

        api.MapGet("/events", StreamEventsAsync);
    }

    private static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return Environment.OSVersion.Version.ToString();
        }
    }

    private static async Task StreamEventsAsync(HttpContext context, EventBus bus, TimeProvider time)
    {
        var q = context.Request.Query;
        var filter = EventFilter.Parse(q["filters"], q["since"], q["until"], time.GetUtcNow());
        using var sub = bus.Subscribe();
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);

        using var untilCts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (filter.Until is { } until)
        {
            var delay = until - time.GetUtcNow();
            untilCts.CancelAfter(delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
        }

        var ct = untilCts.Token;
        try
        {
            if (filter.Since is not null)
            {
                foreach (var ev in sub.Past)
                {
                    if (filter.Matches(ev))
                    {
                        await WriteEventAsync(context, ev, ct).ConfigureAwait(false);
                    }
                }
            }

            if (filter.Until is { } u && u <= time.GetUtcNow())
            {
                return;
            }

            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            await foreach (var ev in sub.Live.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (filter.Matches(ev))
                {
                    await WriteEventAsync(context, ev, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // until reached or client gone: the stream simply ends
        }
    }

    private static async Task WriteEventAsync(HttpContext context, EngineEvent ev, CancellationToken ct)
    {
        var nanos = (ev.Time.ToUnixTimeMilliseconds() * 1_000_000) + ((ev.Time.Ticks % TimeSpan.TicksPerMillisecond) * 100);
        var legacy = ev.Type is "container" or "image";
        var msg = new EventMessage
        {
            Type = ev.Type,
            Action = ev.Action,
            Actor = new EventActor(ev.ActorId, ev.Attributes),
            Scope = ev.Scope,
            Time = ev.Time.ToUnixTimeSeconds(),
            TimeNano = nanos,
            Status = legacy ? ev.Action : null,
            Id = legacy ? ev.ActorId : null,
            From = ev.Type == "container" && ev.Attributes.TryGetValue("image", out var img) ? img : null,
        };
        await JsonLines.WriteAsync(context.Response.Body, msg, SystemJsonContext.Default.EventMessage, JsonLines.Lf, ct).ConfigureAwait(false);
    }
}
