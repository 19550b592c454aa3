using System.Globalization;
using Berth.Api;
using Berth.Api.Build;
using Berth.Api.Json;
using Berth.Core.Errors;
using Berth.Core.Filters;
using Berth.Daemon.Http.Containers;

namespace Berth.Daemon.Http.Build;

/// <summary>
/// /build routes. Berth has no builder yet, so there is no build cache: POST /build/prune
/// validates its query exactly as dockerd's BuildKit backend does and honestly reports that
/// nothing was removed (`docker system prune` depends on this route); POST /build answers 501.
/// </summary>
public static class BuildRoutes
{
    /// <summary>The filters dockerd's builder accepts on prune (label and label! are accepted and, as in dockerd, not applied).</summary>
    private static readonly string[] AcceptedFilters = ["until", "unused-for", "label", "label!", "id", "parent", "type", "description", "inuse", "shared", "private"];

    private static readonly string[] CacheFields = ["id", "parent", "type", "description", "inuse", "shared", "private"];

    public const string NoBuilder = "building images is not supported by Berth yet: there is no builder (docker build, POST /build)";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/build/prune", PruneAsync);
        api.MapPost("/build", BuildAsync);
    }

    /// <summary>
    /// Until the builder lands: 501, with the message both where an error response has it
    /// ("message") and where a client reading the build's JSON stream looks ("errorDetail",
    /// "error"). The build context is not read: the connection is closed instead.
    /// </summary>
    private static async Task BuildAsync(HttpContext ctx)
    {
        ctx.Response.StatusCode = StatusCodes.Status501NotImplemented;
        ctx.Response.Headers.Connection = "close";
        await ContainerRoutes.WriteJsonAsync(ctx, new BuildErrorLine(NoBuilder, new BuildErrorDetail(StatusCodes.Status501NotImplemented, NoBuilder), NoBuilder), BuildJsonContext.Default.BuildErrorLine).ConfigureAwait(false);
    }

    private static async Task PruneAsync(HttpContext ctx, TimeProvider time)
    {
        var version = ctx.Items[ApiVersionMiddleware.VersionKey] as string ?? ApiVersions.Current;
        ValidatePruneQuery(ctx.Request.Query, version, time.GetUtcNow());
        await ContainerRoutes.WriteJsonAsync(ctx, new BuildCachePruneResponse([], 0), BuildJsonContext.Default.BuildCachePruneResponse).ConfigureAwait(false);
    }

    /// <summary>Refuses what dockerd refuses: unknown filters, several values where one is expected, bad durations and byte counts.</summary>
    public static void ValidatePruneQuery(IQueryCollection query, string version, DateTimeOffset now)
    {
        var filters = FilterSet.Parse(query["filters"]).Accept(AcceptedFilters);
        if (filters.Get("until").Count > 0 && filters.Get("unused-for").Count > 0)
        {
            throw BerthException.Invalid("conflicting filters: \"until\" and \"unused-for\"");
        }

        var untilKey = filters.Get("unused-for").Count > 0 ? "unused-for" : "until";
        var until = filters.Get(untilKey);
        if (until.Count > 1)
        {
            throw BerthException.Invalid("filters expect only one value");
        }

        if (until.Count == 1)
        {
            try
            {
                TimeFilter.Parse(until[0], now);
            }
            catch (BerthException e)
            {
                throw BerthException.Invalid($"\"{untilKey}\" filter expects a duration (e.g., '24h') or a timestamp: {e.Message}");
            }
        }

        if (CacheFields.Any(f => filters.Get(f).Count > 1))
        {
            throw BerthException.Invalid("filters expect only one value");
        }

        if (ApiVersions.Compare(version, "1.48") >= 0)
        {
            Bytes(query, "reserved-space");
            Bytes(query, "max-used-space");
            Bytes(query, "min-free-space");
        }

        Bytes(query, "keep-storage");
    }

    private static long Bytes(IQueryCollection query, string name)
    {
        var v = query[name].ToString();
        if (v.Length == 0)
        {
            return 0;
        }

        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        var why = v.TrimStart('-', '+').All(char.IsAsciiDigit) && v.TrimStart('-', '+').Length > 0 ? "value out of range" : "invalid syntax";
        throw BerthException.Invalid($"{name} is in bytes and expects an integer, got {v}: strconv.Atoi: parsing \"{v}\": {why}");
    }
}
