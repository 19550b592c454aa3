using Berth.Containers;
using Berth.Containers.Model;
using Berth.Core.Errors;
using Berth.Core.Model;
using Berth.Images;

namespace Berth.Daemon.Http.Containers;

/// <summary>POST /commit and GET /containers/{id}/export: a container's filesystem leaves as an image or a tar.</summary>
public static class CommitExportRoutes
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/commit", CommitAsync);
        api.MapGet("/containers/{id}/export", ExportAsync);
    }

    private static async Task CommitAsync(HttpContext ctx, IContainerCommit containers, ImageService images)
    {
        var q = ctx.Request;
        var id = QueryValues.String(q, "container") ?? throw BerthException.Invalid("No container specified");
        containers.Get(id);
        var pause = QueryValues.String(q, "pause") is null || QueryValues.Bool(q, "pause");
        var body = await ContainerRoutes.ReadJsonAsync(ctx, Berth.Api.Json.ContainersJsonContext.Default.ContainerConfig).ConfigureAwait(false);
        var given = body is null ? null : ContainerMapper.ToConfig(body);
        var comment = QueryValues.String(q, "comment") ?? string.Empty;

        // The container's state is read under its lock, after the body has arrived: a state read
        // earlier would be stale by the time the commit runs.
        var imageId = await containers.CommitAsync(id, pause, comment, (c, ct) =>
        {
            var config = ToImageConfig(c.Config);
            if (given is not null)
            {
                config = Override(config, given);
            }

            return images.CommitAsync(new CommitRequest
            {
                SnapshotKey = c.Id,
                ParentImageId = c.ImageId,
                Config = config,
                Changes = [.. q.Query["changes"].Where(s => !string.IsNullOrEmpty(s)).Select(s => s!)],
                Author = QueryValues.String(q, "author"),
                Comment = QueryValues.String(q, "comment"),
                Repo = QueryValues.String(q, "repo") is { Length: > 0 } r ? r : null,
                Tag = QueryValues.String(q, "tag") is { Length: > 0 } t ? t : null,
                CreatedBy = string.Join(' ', new[] { c.Path }.Concat(c.Args)),
            }, ct);
        }, ctx.RequestAborted).ConfigureAwait(false);

        ctx.Response.StatusCode = StatusCodes.Status201Created;
        await ContainerRoutes.WriteJsonAsync(ctx, new Berth.Api.Exec.IdResponse(imageId), Berth.Api.Json.ContainersJsonContext.Default.IdResponse).ConfigureAwait(false);
    }

    private static async Task ExportAsync(HttpContext ctx, IContainerArchive containers, string id)
    {
        var c = containers.Get(id);
        ctx.Response.ContentType = "application/x-tar";
        await containers.ExportAsync(c.Id, ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The container's (merged) configuration as the new image's configuration.</summary>
    private static ImageConfig ToImageConfig(ContainerConfig c) => new()
    {
        User = c.User,
        ExposedPorts = c.ExposedPorts ?? [],
        Env = c.Env,
        Entrypoint = c.Entrypoint,
        Cmd = c.Cmd,
        Volumes = c.Volumes ?? [],
        WorkingDir = c.WorkingDir,
        Labels = c.Labels,
        StopSignal = c.StopSignal,
        Healthcheck = c.Healthcheck,
        OnBuild = c.OnBuild,
        Shell = c.Shell,
        ArgsEscaped = c.ArgsEscaped,
    };

    /// <summary>A config in the commit body replaces the fields it sets (Docker merges it over the container's).</summary>
    private static ImageConfig Override(ImageConfig current, ContainerConfig given) => current with
    {
        User = given.User.Length > 0 ? given.User : current.User,
        Env = given.Env.Count > 0 ? given.Env : current.Env,
        Entrypoint = given.Entrypoint ?? current.Entrypoint,
        Cmd = given.Cmd ?? current.Cmd,
        WorkingDir = given.WorkingDir.Length > 0 ? given.WorkingDir : current.WorkingDir,
        Labels = given.Labels.Count > 0 ? given.Labels : current.Labels,
        ExposedPorts = given.ExposedPorts ?? current.ExposedPorts,
        Volumes = given.Volumes ?? current.Volumes,
        StopSignal = given.StopSignal ?? current.StopSignal,
    };
}
