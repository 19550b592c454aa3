using System.Text.Json;
using Berth.Api.Images;
using Berth.Api.Json;
using Berth.Core.Errors;
using Berth.Core.Filters;
using Berth.Core.References;
using Berth.Images;

namespace Berth.Daemon.Http.Images;

/// <summary>
/// The /images routes. Image names may contain slashes ("localhost:5000/a/b:tag"), so the
/// per-image routes are one catch-all per method, split on the last path segment.
/// </summary>
public static class ImageRoutes
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/images/json", ListAsync);
        api.MapGet("/images/get", SaveManyAsync);
        api.MapPost("/images/load", LoadAsync);
        api.MapPost("/images/create", CreateAsync);
        api.MapPost("/images/prune", PruneAsync);
        api.MapGet("/images/{**path}", GetAsync);
        api.MapPost("/images/{**path}", PostAsync);
        api.MapDelete("/images/{**path}", DeleteAsync);
    }

    private static string Version(HttpContext c) => c.Items[ApiVersionMiddleware.VersionKey] as string ?? Berth.Api.ApiVersions.Current;

    /// <summary>Docker's httputils.BoolValue: anything but "", 0, no, false, none is true.</summary>
    public static bool BoolValue(HttpContext c, string name)
    {
        var v = c.Request.Query[name].ToString().Trim().ToLowerInvariant();
        return v is not ("" or "0" or "no" or "false" or "none");
    }

    private static async Task ListAsync(HttpContext c, ImageService images)
    {
        var q = c.Request.Query;
        var filters = FilterSet.Parse(q["filters"]);
        if (q["filter"].ToString() is { Length: > 0 } legacy && Berth.Api.ApiVersions.Compare(Version(c), "1.41") < 0)
        {
            filters = FilterSet.Parse(JsonSerializer.Serialize(new Dictionary<string, List<string>> { ["reference"] = [legacy] }, SystemJsonContext.Default.DictionaryStringListString));
        }

        var list = images.List(new ImageListOptions
        {
            All = BoolValue(c, "all"),
            Filters = filters,
            SharedSize = BoolValue(c, "shared-size"),
            ContainerCounts = false,
        });
        var version = Version(c);
        await WriteJsonAsync(c, list.Select(v => ImagesMapper.ToSummary(v, version)).ToList(), ImagesJsonContext.Default.ListImageSummary).ConfigureAwait(false);
    }

    private static async Task GetAsync(HttpContext c, ImageService images, string path)
    {
        var (name, action) = Split(path);
        ImageNames.Checked(name);
        switch (action)
        {
            case "json":
                await WriteJsonAsync(c, ImagesMapper.ToInspect(images.Inspect(name), Version(c)), ImagesJsonContext.Default.ImageInspectResponse).ConfigureAwait(false);
                break;
            case "history":
                await WriteJsonAsync(c, images.History(name).Select(ImagesMapper.ToHistory).ToList(), ImagesJsonContext.Default.ListImageHistoryResponseItem).ConfigureAwait(false);
                break;
            case "get":
                await SaveAsync(c, images, [name]).ConfigureAwait(false);
                break;
            default:
                await ErrorWriter.WriteAsync(c, StatusCodes.Status404NotFound, "page not found").ConfigureAwait(false);
                break;
        }
    }

    private static async Task PostAsync(HttpContext c, ImageService images, string path)
    {
        var (name, action) = Split(path);
        switch (action)
        {
            case "tag":
                await images.TagAsync(name, c.Request.Query["repo"].ToString(), c.Request.Query["tag"].ToString(), c.RequestAborted).ConfigureAwait(false);
                c.Response.StatusCode = StatusCodes.Status201Created;
                break;
            case "push":
                throw BerthException.NotImplemented("pushing images to a registry is not supported yet");
            default:
                await ErrorWriter.WriteAsync(c, StatusCodes.Status404NotFound, "page not found").ConfigureAwait(false);
                break;
        }
    }

    private static async Task DeleteAsync(HttpContext c, ImageService images, string path)
    {
        var items = await images.RemoveAsync(ImageNames.Checked(path)!, BoolValue(c, "force"), !BoolValue(c, "noprune"), c.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(c, items.Select(ImagesMapper.ToDelete).ToList(), ImagesJsonContext.Default.ListImageDeleteResponseItem).ConfigureAwait(false);
    }

    private static Task SaveManyAsync(HttpContext c, ImageService images)
    {
        var names = c.Request.Query["names"].Where(n => !string.IsNullOrEmpty(n)).Select(n => ImageNames.Checked(n)!).ToList();
        return SaveAsync(c, images, names);
    }

    private static async Task SaveAsync(HttpContext c, ImageService images, IReadOnlyList<string> names)
    {
        if (c.Request.Query.ContainsKey("platform"))
        {
            throw BerthException.NotImplemented("saving a specific platform (--platform) is not supported yet");
        }

        var resolved = images.ResolveForSave(names); // 404 before any byte is written
        c.Response.ContentType = "application/x-tar";
        await images.SaveAsync(resolved, c.Response.Body, c.RequestAborted).ConfigureAwait(false);
    }

    private static async Task LoadAsync(HttpContext c, ImageService images)
    {
        if (c.Request.Query.ContainsKey("platform"))
        {
            throw BerthException.NotImplemented("loading a specific platform (--platform) is not supported yet");
        }

        // As dockerd: the answer is always a 200 message stream, and a failure is its errorDetail line.
        // quiet defaults to true (BoolValueOrDefault); without it each new layer gets its progress line.
        c.Response.ContentType = "application/json";
        var quiet = Containers.QueryValues.Bool(c.Request, "quiet", defaultValue: true);
        Func<LayerLoadProgress, ValueTask>? progress = quiet ? null : p => new ValueTask(WriteMessageAsync(c, ImagesMapper.ToProgressMessage("Loading layer", p.LayerId, p.Current, p.Total)));
        IReadOnlyList<string> lines;
        try
        {
            lines = await images.LoadAsync(c.Request.Body, progress, c.RequestAborted).ConfigureAwait(false);
        }
        catch (BerthException e)
        {
            await WriteMessageAsync(c, new ImageStreamMessage { ErrorDetail = new ImageStreamError(e.Message), Error = e.Message }).ConfigureAwait(false);
            return;
        }

        foreach (var line in lines)
        {
            await WriteMessageAsync(c, new ImageStreamMessage { Stream = line + "\n" }).ConfigureAwait(false);
        }
    }

    private static async Task CreateAsync(HttpContext c, ImageService images)
    {
        var q = c.Request.Query;
        var fromImage = q["fromImage"].ToString();
        var fromSrc = q["fromSrc"].ToString();
        if (fromImage.Length > 0)
        {
            // Registry pulls are not implemented yet; Docker's wording lets the CLI report it as it would.
            var r = ImageNames.WithTag(fromImage, q["tag"].ToString());
            throw BerthException.NotFound($"pull access denied for {r.FamiliarName}, repository does not exist or may require 'docker login': this engine cannot pull from registries yet");
        }

        if (fromSrc.Length == 0)
        {
            throw BerthException.Invalid("either fromImage or fromSrc must be given");
        }

        if (fromSrc != "-")
        {
            throw BerthException.NotImplemented("importing from a URL is not supported yet; pipe the archive into docker import -");
        }

        var id = await images.ImportAsync(c.Request.Body, new ImportRequest
        {
            Repo = q["repo"].ToString() is { Length: > 0 } repo ? repo : null,
            Tag = q["tag"].ToString() is { Length: > 0 } tag ? tag : null,
            Changes = q["changes"].Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList(),
            Message = q["message"].ToString() is { Length: > 0 } m ? m : null,
            Platform = q["platform"].ToString() is { Length: > 0 } p ? p : null,
            Source = fromSrc,
        }, c.RequestAborted).ConfigureAwait(false);
        c.Response.ContentType = "application/json";
        await WriteMessageAsync(c, new ImageStreamMessage { Status = id }).ConfigureAwait(false);
    }

    private static async Task PruneAsync(HttpContext c, ImageService images)
    {
        var result = await images.PruneAsync(FilterSet.Parse(c.Request.Query["filters"]), c.RequestAborted).ConfigureAwait(false);
        var response = new ImagesPruneResponse(result.ImagesDeleted.Count == 0 ? null : result.ImagesDeleted.Select(ImagesMapper.ToDelete).ToList(), result.SpaceReclaimed);
        await WriteJsonAsync(c, response, ImagesJsonContext.Default.ImagesPruneResponse).ConfigureAwait(false);
    }

    /// <summary>"a/b:tag/json" → ("a/b:tag", "json"); a path without action means DELETE's image name.</summary>
    private static (string Name, string Action) Split(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? (path, string.Empty) : (path[..slash], path[(slash + 1)..]);
    }

    /// <summary>One line of Docker's JSON message stream: the object and "\r\n" (dockerd's streamformatter) in one chunk.</summary>
    private static async Task WriteMessageAsync(HttpContext c, ImageStreamMessage m)
    {
        await JsonLines.WriteAsync(c.Response.Body, m, ImagesJsonContext.Default.ImageStreamMessage, JsonLines.CrLf, c.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync<T>(HttpContext c, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        c.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(c.Response.Body, value, info, c.RequestAborted).ConfigureAwait(false);
        await c.Response.Body.WriteAsync("\n"u8.ToArray(), c.RequestAborted).ConfigureAwait(false);
    }
}
