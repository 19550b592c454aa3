using Microsoft.AspNetCore.Http.Features;

namespace Berth.Daemon.Http;

/// <summary>
/// Docker's attach and exec-start "hijack" the HTTP connection: after the response head, the
/// socket carries raw (or stdcopy-framed) bytes both ways. Clients that ask with
/// <c>Upgrade: tcp</c> get <c>101 UPGRADED</c> (Kestrel's reason phrase is rewritten on the way out,
/// <see cref="UpgradedHeadWriter"/>); older ones get <c>200</c> and the raw stream on the same
/// connection, which is then closed when the stream ends.
/// </summary>
public static class Hijack
{
    public const string RawStream = "application/vnd.docker.raw-stream";
    public const string MultiplexedStream = "application/vnd.docker.multiplexed-stream";

    /// <summary>
    /// The token for work on a hijacked stream. Not RequestAborted: Kestrel cancels that when the
    /// client half-closes its side, and docker clients half-close at once when they have no stdin
    /// to send, while they still read output. A hijacked session ends when the stream does (a
    /// failed write or the end of output), or when the daemon stops.
    /// </summary>
    public static CancellationToken SessionToken(HttpContext context) =>
        context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    /// <summary>
    /// Takes the connection over. As dockerd: the upgrade's Content-Type names the multiplexed
    /// stream only from API 1.42 on, and a plain 200 always says raw stream (what it carries is
    /// framed all the same when <paramref name="multiplexed"/>).
    /// </summary>
    public static async Task<Stream> AcceptAsync(HttpContext context, bool multiplexed)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is { IsUpgradableRequest: true })
        {
            var version = context.Items[ApiVersionMiddleware.VersionKey] as string ?? Berth.Api.ApiVersions.Current;
            context.Response.Headers.ContentType = multiplexed && Berth.Api.ApiVersions.Compare(version, "1.42") >= 0 ? MultiplexedStream : RawStream;
            context.Response.Headers.Upgrade = "tcp";
            var upgraded = await upgrade.UpgradeAsync().ConfigureAwait(false);
            return context.Features.Get<HijackSession>() is { } session
                ? new HijackedStream(session, upgraded)
                : upgraded;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = RawStream;
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        return new HijackedResponseStream(context);
    }
}
