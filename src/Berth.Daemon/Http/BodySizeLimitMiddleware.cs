using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Berth.Daemon.Http;

/// <summary>
/// Streams (image load and import, archives, attach stdin, build contexts) may be any size; every
/// other request body is a small JSON document, and a huge one is hostile or a mistake. The cap
/// is chosen by route, not by Content-Type: a client decides what its Content-Type says. Runs
/// after routing, so the matched route is known; an unmatched request gets the cap too.
/// </summary>
public sealed class BodySizeLimitMiddleware(RequestDelegate next, EdgeLimits limits)
{
    /// <summary>Routes whose body is a stream of any size (route patterns as mapped, without the version prefix).</summary>
    private static readonly HashSet<string> StreamingRoutes = new(StringComparer.Ordinal)
    {
        "/images/load",
        "/images/create",
        "/containers/{id}/archive",
        "/containers/{id}/attach",
        "/exec/{id}/start",
        "/build",
    };

    public Task InvokeAsync(HttpContext context)
    {
        var pattern = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (pattern is not null && StreamingRoutes.Contains(pattern))
        {
            return next(context);
        }

        if (context.Request.ContentLength > limits.MaxBody)
        {
            context.Response.Headers.Connection = "close"; // rather than reading the whole body to find the next request
            return ErrorWriter.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"request body too large: it may have at most {limits.MaxBody} bytes");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = limits.MaxBody;
        }

        return next(context);
    }
}
