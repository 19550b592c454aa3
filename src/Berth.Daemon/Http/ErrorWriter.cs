using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Berth.Api.Json;
using Berth.Api.Engine;
using Berth.Core.Errors;

namespace Berth.Daemon.Http;

/// <summary>The single place where error kinds become HTTP status codes.</summary>
public static class ErrorWriter
{
    // Messages quote names ("/x"); escape them as \" like Docker does, not as \u0022.
    private static readonly JsonTypeInfo<ErrorResponse> ErrorTypeInfo = (JsonTypeInfo<ErrorResponse>)new JsonSerializerOptions
    {
        Encoder = global::System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = SystemJsonContext.Default,
    }.GetTypeInfo(typeof(ErrorResponse));

    public static int StatusFor(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.InvalidArgument => StatusCodes.Status400BadRequest,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.NotModified => StatusCodes.Status304NotModified,
        ErrorKind.NotImplemented => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static readonly string[] NegotiationHeaders = ["Api-Version", "Docker-Experimental", "Ostype", "Server"];

    /// <summary>Docker's error body, <c>{"message":"..."}</c> and a newline.</summary>
    public static byte[] Body(string message) => [.. JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse(message), ErrorTypeInfo), (byte)'\n'];

    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            // Mid-stream failure: the status line is gone; the connection is all we can end.
            context.Abort();
            return;
        }

        // Docker sets its negotiation headers before anything can fail, so errors carry them too;
        // a Connection: close chosen by the edge stays.
        var headers = context.Response.Headers;
        var kept = NegotiationHeaders.Append("Connection").Select(h => (h, headers[h])).ToList();
        context.Response.Clear();
        foreach (var (name, value) in kept.Where(k => k.Item2.Count > 0))
        {
            headers[name] = value;
        }

        context.Response.StatusCode = status;
        if (status == StatusCodes.Status304NotModified)
        {
            return; // 304 carries no body
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new ErrorResponse(message), ErrorTypeInfo, context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }
}
