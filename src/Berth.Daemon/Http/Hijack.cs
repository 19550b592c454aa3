using Microsoft.AspNetCore.Http.Features;

namespace Berth.Daemon.Http;

/// <summary>
/// Docker's attach and exec-start "hijack" the HTTP connection: after the response head, the
/// socket carries raw (or stdcopy-framed) bytes both ways. Clients that ask with
/// <c>Upgrade: tcp</c> get <c>101 UPGRADED</c>; older ones get <c>200</c> and the raw stream
/// on the same connection, which is then closed when the stream ends.
/// </summary>
public static class Hijack
{
    public const string RawStream = "application/vnd.docker.raw-stream";
    public const string MultiplexedStream = "application/vnd.docker.multiplexed-stream";

    public static async Task<Stream> AcceptAsync(HttpContext context, bool multiplexed)
    {
        var contentType = multiplexed ? MultiplexedStream : RawStream;
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is { IsUpgradableRequest: true })
        {
            context.Response.Headers.ContentType = contentType;
            context.Response.Headers.Upgrade = "tcp";
            var upgraded = await upgrade.UpgradeAsync().ConfigureAwait(false);
            return context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items.TryGetValue(HijackConnectionMiddleware.HalfCloseKey, out var hc) == true && hc is HalfClose halfClose
                ? new HalfCloseStream(upgraded, halfClose)
                : upgraded;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = contentType;
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        return new HijackedResponseStream(context);
    }
}
