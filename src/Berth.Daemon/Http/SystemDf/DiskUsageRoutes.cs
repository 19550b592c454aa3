using Berth.Api;
using Berth.Api.Json;
using Berth.Containers;
using Berth.Containers.Query;
using Berth.Core.Filters;
using Berth.Daemon.Http.Containers;
using Berth.Daemon.Http.Images;
using Berth.Daemon.Http.Volumes;
using Berth.Images;
using Berth.Volumes;
using Wire = Berth.Api.Volumes;

namespace Berth.Daemon.Http.SystemDf;

/// <summary>GET /system/df: images, containers (with sizes), volumes (with usage) and an empty build cache.</summary>
public static class DiskUsageRoutes
{
    public static void Map(IEndpointRouteBuilder api) => api.MapGet("/system/df", DiskUsageAsync);

    private static async Task DiskUsageAsync(HttpContext ctx, ImageService images, IContainerQueries containers, VolumeService volumes, TimeProvider time)
    {
        var version = ctx.Items[ApiVersionMiddleware.VersionKey] as string ?? ApiVersions.Current;
        var types = ctx.Request.Query["type"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToHashSet(StringComparer.Ordinal);
        bool Wants(string t) => types.Count == 0 || types.Contains(t);

        var imageViews = Wants("image") ? images.DiskUsage() : [];
        var summaries = imageViews.Select(v => ImagesMapper.ToSummary(v, version)).ToList();
        var now = time.GetUtcNow();
        var containerItems = Wants("container")
            ? await containers.ListAsync(new ContainerListOptions { All = true, Size = true, Filters = FilterSet.Empty }, ctx.RequestAborted).ConfigureAwait(false)
            : [];
        var volumeList = Wants("volume")
            ? volumes.List().Select(v => VolumeRoutes.ToWire(v, new Wire.VolumeUsageData(volumes.Size(v), volumes.UsersOf(v.Name).Count))).ToList()
            : [];

        // Unique bytes of every image plus the largest shared part (an approximation of the distinct layers' total).
        var layersSize = summaries.Sum(s => s.Size - Math.Max(0, s.SharedSize)) + (summaries.Count == 0 ? 0 : summaries.Max(s => Math.Max(0, s.SharedSize)));
        var body = new Wire.SystemDataUsageResponse
        {
            LayersSize = layersSize,
            Images = summaries,
            Containers = [.. containerItems.Select(i => ContainerMapper.ToSummary(i, now))],
            Volumes = volumeList,
            BuildCache = [],
        };
        await ContainerRoutes.WriteJsonAsync(ctx, body, VolumesJsonContext.Default.SystemDataUsageResponse).ConfigureAwait(false);
    }
}
