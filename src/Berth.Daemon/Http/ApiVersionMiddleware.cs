using Berth.Api;

namespace Berth.Daemon.Http;

/// <summary>
/// Strips a <c>/v1.NN</c> prefix so routes are declared once, remembers the version for the
/// per-resource mappers, refuses versions outside [Minimum, Current] with Docker's messages, and
/// sets the headers clients negotiate with.
/// </summary>
public sealed class ApiVersionMiddleware(RequestDelegate next)
{
    public const string VersionKey = "berth.api-version";

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["Api-Version"] = ApiVersions.Current;
        headers["Docker-Experimental"] = "false";
        headers["Ostype"] = "linux";
        headers["Server"] = $"Docker/{DaemonInfo.Version} (linux)";

        var path = context.Request.Path.Value ?? "/";
        var version = ApiVersions.Current;
        if (path.Length > 2 && path[1] == 'v' && char.IsAsciiDigit(path[2]))
        {
            var end = path.IndexOf('/', 1);
            var text = end < 0 ? path[2..] : path[2..end];
            if (ApiVersions.TryParse(text, out var v))
            {
                if (ApiVersions.Compare(v, ApiVersions.Current) > 0)
                {
                    return ErrorWriter.WriteAsync(context, StatusCodes.Status400BadRequest, $"client version {v} is too new. Maximum supported API version is {ApiVersions.Current}");
                }

                if (ApiVersions.Compare(v, ApiVersions.Minimum) < 0)
                {
                    return ErrorWriter.WriteAsync(context, StatusCodes.Status400BadRequest, $"client version {v} is too old. Minimum supported API version is {ApiVersions.Minimum}, please upgrade your client to a newer version");
                }

                version = v;
                context.Request.Path = end < 0 ? "/" : path[end..];
            }
        }

        context.Items[VersionKey] = version;
        return next(context);
    }
}
