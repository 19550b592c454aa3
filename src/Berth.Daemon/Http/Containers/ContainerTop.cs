using Berth.Api.Json;
using Berth.Containers;
using Berth.Containers.Query;
using Berth.Core.Errors;
using Wire = Berth.Api.Containers;

namespace Berth.Daemon.Http.Containers;

/// <summary>GET /containers/{id}/top: the host's ps, filtered to the container's processes.</summary>
public static class ContainerTop
{
    public static async Task TopAsync(HttpContext ctx, ContainerService svc, string id)
    {
        var psArgs = QueryValues.String(ctx.Request, "ps_args") ?? "-ef";
        TopParser.ValidateArgs(psArgs);
        var pids = await svc.ListPidsAsync(id, ctx.RequestAborted).ConfigureAwait(false);
        var output = await HostPs.RunAsync(psArgs, ctx.RequestAborted).ConfigureAwait(false);
        var (titles, processes) = TopParser.Parse(output, pids.ToHashSet());
        await ContainerRoutes.WriteJsonAsync(ctx, new Wire.ContainerTopResponse(titles, processes), ContainersJsonContext.Default.ContainerTopResponse).ConfigureAwait(false);
    }
}
