using System.Globalization;
using System.Text.Json;
using Berth.Containers;
using Berth.Containers.Archive;
using Berth.Core.Errors;

namespace Berth.Daemon.Http.Containers;

/// <summary>HEAD/GET/PUT /containers/{id}/archive (docker cp), with Docker's X-Docker-Container-Path-Stat header.</summary>
public static class ArchiveRoutes
{
    private const string StatHeader = "X-Docker-Container-Path-Stat";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapMethods("/containers/{id}/archive", ["HEAD"], HeadAsync);
        api.MapGet("/containers/{id}/archive", GetAsync);
        api.MapPut("/containers/{id}/archive", PutAsync);
    }

    private static async Task<IResult> HeadAsync(HttpContext ctx, IContainerArchive svc, string id)
    {
        var stat = await svc.StatPathAsync(id, RequiredPath(ctx), ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.Headers[StatHeader] = Encode(stat);
        return Results.Ok();
    }

    private static async Task GetAsync(HttpContext ctx, IContainerArchive svc, string id)
    {
        await svc.GetArchiveAsync(id, RequiredPath(ctx), stat =>
        {
            ctx.Response.Headers[StatHeader] = Encode(stat);
            ctx.Response.ContentType = "application/x-tar";
            return ctx.Response.Body;
        }, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> PutAsync(HttpContext ctx, IContainerArchive svc, string id)
    {
        await svc.PutArchiveAsync(id, RequiredPath(ctx), ctx.Request.Body, QueryValues.Bool(ctx.Request, "noOverwriteDirNonDir"), QueryValues.Bool(ctx.Request, "copyUIDGID"), ctx.RequestAborted).ConfigureAwait(false);
        return Results.Ok();
    }

    private static string RequiredPath(HttpContext ctx) =>
        QueryValues.String(ctx.Request, "path") is { Length: > 0 } p ? p : throw BerthException.Invalid("bad parameter: path cannot be empty");

    /// <summary>base64(JSON {name,size,mode,mtime,linkTarget}) as Docker's types.ContainerPathStat.</summary>
    public static string Encode(ArchiveStat stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("name", stat.Name);
            w.WriteNumber("size", stat.Size);
            w.WriteNumber("mode", stat.Mode);
            w.WriteString("mtime", stat.Mtime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture));
            w.WriteString("linkTarget", stat.LinkTarget);
            w.WriteEndObject();
        }

        return Convert.ToBase64String(ms.ToArray());
    }
}
