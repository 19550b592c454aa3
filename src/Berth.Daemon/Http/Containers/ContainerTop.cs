using Berth.Api.Json;
using Berth.Containers;
using Wire = Berth.Api.Containers;

namespace Berth.Daemon.Http.Containers;

/// <summary>GET /containers/{id}/top: the host's ps, filtered to the container's processes.</summary>
public static class ContainerTop
{
    public static async Task TopAsync(HttpContext ctx, IContainerQueries svc, string id)
    {
        var (titles, processes) = await svc.TopAsync(id, QueryValues.String(ctx.Request, "ps_args"), ctx.RequestAborted).ConfigureAwait(false);
        await ContainerRoutes.WriteJsonAsync(ctx, new Wire.ContainerTopResponse(titles, processes), ContainersJsonContext.Default.ContainerTopResponse).ConfigureAwait(false);
    }
}
