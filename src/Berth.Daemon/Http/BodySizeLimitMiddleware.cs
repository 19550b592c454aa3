using Microsoft.AspNetCore.Http.Features;

namespace Berth.Daemon.Http;

/// <summary>
/// Streams (image load/import, archives, build contexts) may be any size, but a JSON request body
/// is small by nature; a huge one is hostile or a mistake. JSON bodies are capped so that a 100 MB
/// body gets a 413 instead of being buffered.
/// </summary>
public sealed class BodySizeLimitMiddleware(RequestDelegate next)
{
    public const long MaxJsonBody = 8 * 1024 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var type = context.Request.ContentType;
        if (type is not null && type.Contains("json", StringComparison.OrdinalIgnoreCase)
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            if (context.Request.ContentLength > MaxJsonBody)
            {
                return ErrorWriter.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"request body too large: a JSON body may have at most {MaxJsonBody} bytes");
            }

            limit.MaxRequestBodySize = MaxJsonBody;
        }

        return next(context);
    }
}
