using System.Globalization;
using Berth.Api;
using Berth.Api.Json;
using Berth.Core.Errors;
using Berth.Core.Filters;
using Berth.Daemon.Http.Containers;
using Berth.Volumes;
using Wire = Berth.Api.Volumes;

namespace Berth.Daemon.Http.Volumes;

/// <summary>The /volumes routes: a flat table over <see cref="VolumeService"/>.</summary>
public static class VolumeRoutes
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/volumes", ListAsync);
        api.MapPost("/volumes/create", CreateAsync);
        api.MapPost("/volumes/prune", PruneAsync);
        api.MapGet("/volumes/{name}", InspectAsync);
        api.MapPut("/volumes/{name}", (VolumeService svc, string name) =>
        {
            svc.Get(name);
            throw BerthException.Invalid("volume update is only supported for cluster volumes");
        });
        api.MapDelete("/volumes/{name}", RemoveAsync);
    }

    private static async Task ListAsync(HttpContext ctx, VolumeService svc)
    {
        var filters = FilterSet.Parse(QueryValues.String(ctx.Request, "filters"));
        var list = svc.List(filters).Select(v => ToWire(v, null)).ToList();
        await ContainerRoutes.WriteJsonAsync(ctx, new Wire.VolumeListResponse(list, []), VolumesJsonContext.Default.VolumeListResponse).ConfigureAwait(false);
    }

    private static async Task CreateAsync(HttpContext ctx, VolumeService svc)
    {
        var body = await ContainerRoutes.ReadJsonAsync(ctx, VolumesJsonContext.Default.VolumeCreateOptions).ConfigureAwait(false) ?? new Wire.VolumeCreateOptions();
        if (body.ClusterVolumeSpec is { ValueKind: not System.Text.Json.JsonValueKind.Null })
        {
            throw BerthException.NotImplemented("cluster volumes (ClusterVolumeSpec) are not supported");
        }

        var v = svc.Create(new CreateVolumeRequest
        {
            Name = body.Name ?? string.Empty,
            Driver = body.Driver ?? string.Empty,
            DriverOpts = body.DriverOpts,
            Labels = body.Labels,
        });
        ctx.Response.StatusCode = StatusCodes.Status201Created;
        await ContainerRoutes.WriteJsonAsync(ctx, ToWire(v, null), VolumesJsonContext.Default.Volume).ConfigureAwait(false);
    }

    private static async Task InspectAsync(HttpContext ctx, VolumeService svc, string name)
    {
        var v = svc.Get(name);
        await ContainerRoutes.WriteJsonAsync(ctx, ToWire(v, null), VolumesJsonContext.Default.Volume).ConfigureAwait(false);
    }

    private static IResult RemoveAsync(HttpContext ctx, VolumeService svc, string name)
    {
        svc.Remove(name, QueryValues.Bool(ctx.Request, "force"));
        return Results.NoContent();
    }

    private static async Task PruneAsync(HttpContext ctx, VolumeService svc)
    {
        var filters = FilterSet.Parse(QueryValues.String(ctx.Request, "filters"));
        var version = ctx.Items[ApiVersionMiddleware.VersionKey] as string ?? ApiVersions.Current;

        // API 1.42 changed the default: only anonymous volumes unless the "all" filter is set.
        var anonymousOnly = ApiVersions.Compare(version, "1.42") >= 0;
        var result = svc.Prune(filters, anonymousOnly);
        await ContainerRoutes.WriteJsonAsync(ctx, new Wire.VolumesPruneResponse(result.Deleted, result.SpaceReclaimed), VolumesJsonContext.Default.VolumesPruneResponse).ConfigureAwait(false);
    }

    /// <summary>Go's time.RFC3339: "Z" for UTC, else "+hh:mm".</summary>
    private static string Rfc3339(DateTimeOffset t) =>
        t.Offset == TimeSpan.Zero
            ? t.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + "Z"
            : t.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>Docker's wire shape; <paramref name="usage"/> is filled only by system df.</summary>
    public static Wire.Volume ToWire(Volume v, Wire.VolumeUsageData? usage)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new Wire.Volume
        {
            Name = v.Name,
            Driver = v.Driver,
            Mountpoint = v.Mountpoint,
            CreatedAt = Rfc3339(v.CreatedAt.ToLocalTime()),
            Labels = new Dictionary<string, string>(v.Labels),
            Scope = "local",
            Options = new Dictionary<string, string>(v.Options),
            UsageData = usage,
        };
    }
}
