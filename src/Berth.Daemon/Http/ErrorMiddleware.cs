using System.Text.Json;
using Berth.Core.Errors;
using Microsoft.AspNetCore.Connections;

namespace Berth.Daemon.Http;

/// <summary>Turns exceptions into Docker's <c>{"message": ...}</c> errors with the right status.</summary>
public sealed partial class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        context.Request.Body = new RequestBodyStream(context.Request.Body);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BerthException e)
        {
            await ErrorWriter.WriteAsync(context, ErrorWriter.StatusFor(e.Kind), e.Message).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await ErrorWriter.WriteAsync(context, StatusCodes.Status400BadRequest, $"invalid JSON: {e.Message}").ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            // A malformed or oversized body: where the next request would start is unknown.
            context.Response.Headers.Connection = "close";
            await ErrorWriter.WriteAsync(context, e.StatusCode, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to report to anyone.
        }
        catch (Exception e)
        {
            LogUnhandled(logger, context.Request.Method, context.Request.Path, e);
            await ErrorWriter.WriteAsync(context, StatusCodes.Status500InternalServerError, e.Message).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception exception);
}
