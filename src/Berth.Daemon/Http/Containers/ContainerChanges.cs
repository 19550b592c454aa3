using Berth.Api.Json;
using Berth.Containers;
using Wire = Berth.Api.Containers;

namespace Berth.Daemon.Http.Containers;

/// <summary>GET /containers/{id}/changes (docker diff).</summary>
public static class ContainerChanges
{
    public static async Task ChangesAsync(HttpContext ctx, IContainerQueries svc, string id)
    {
        var changes = svc.Changes(id).Select(c => new Wire.FilesystemChange(c.Path, (int)c.Kind)).ToList();
        await ContainerRoutes.WriteJsonAsync(ctx, changes, ContainersJsonContext.Default.ListFilesystemChange).ConfigureAwait(false);
    }
}
