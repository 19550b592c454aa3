using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Berth.Api.Json;
using Berth.Containers;
using Berth.Containers.Query;
using Berth.Containers.Streams;
using Berth.Core.Errors;
using Berth.Core.Filters;
using Berth.Runtime;
using Wire = Berth.Api.Containers;

namespace Berth.Daemon.Http.Containers;

/// <summary>The /containers routes: a flat table over the container backends (<see cref="IContainerLifecycle"/>, <see cref="IContainerCreator"/>, <see cref="IContainerStreams"/>, <see cref="IContainerQueries"/>); wire mapping in <see cref="ContainerMapper"/>.</summary>
public static class ContainerRoutes
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/containers/create", CreateAsync);
        api.MapGet("/containers/json", ListAsync);
        api.MapPost("/containers/prune", PruneAsync);
        api.MapGet("/containers/{id}/json", Inspect);
        api.MapPost("/containers/{id}/start", StartAsync);
        api.MapPost("/containers/{id}/stop", StopAsync);
        api.MapPost("/containers/{id}/restart", RestartAsync);
        api.MapPost("/containers/{id}/kill", KillAsync);
        api.MapPost("/containers/{id}/pause", PauseAsync);
        api.MapPost("/containers/{id}/unpause", UnpauseAsync);
        api.MapPost("/containers/{id}/rename", RenameAsync);
        api.MapPost("/containers/{id}/update", UpdateAsync);
        api.MapPost("/containers/{id}/wait", WaitAsync);
        api.MapPost("/containers/{id}/resize", ResizeAsync);
        // {**id}: a legacy link's name is "/parent/alias", and docker rm --link sends DELETE /containers//parent/alias?link=1.
        api.MapDelete("/containers/{**id}", RemoveAsync);
        api.MapGet("/containers/{id}/logs", LogsAsync);
        api.MapPost("/containers/{id}/attach", AttachAsync);
        api.MapGet("/containers/{id}/attach/ws", AttachWebSocketAsync);
        api.MapGet("/containers/{id}/top", ContainerTop.TopAsync);
        api.MapGet("/containers/{id}/stats", ContainerStats.StatsAsync);
        api.MapGet("/containers/{id}/changes", ContainerChanges.ChangesAsync);
    }

    private static IResult NotImplemented(string message) => throw BerthException.NotImplemented(message);

    private static async Task CreateAsync(HttpContext ctx, IContainerCreator svc)
    {
        var body = await ReadJsonAsync(ctx, ContainersJsonContext.Default.ContainerCreateRequest).ConfigureAwait(false)
            ?? throw BerthException.Invalid("config cannot be empty in order to create a container");
        _ = ImageNames.Checked(body.Image);
        var request = ContainerMapper.ToCreate(body, ContainerNameRules.ForCreate(QueryValues.String(ctx.Request, "name")), QueryValues.String(ctx.Request, "platform"), ctx.Items[ApiVersionMiddleware.VersionKey] as string ?? Berth.Api.ApiVersions.Current);
        var result = await svc.CreateAsync(request, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status201Created;
        await WriteJsonAsync(ctx, new Wire.ContainerCreateResponse(result.Id, result.Warnings), ContainersJsonContext.Default.ContainerCreateResponse).ConfigureAwait(false);
    }

    private static async Task ListAsync(HttpContext ctx, IContainerQueries svc, TimeProvider time)
    {
        var q = ctx.Request;
        var options = new ContainerListOptions
        {
            All = QueryValues.Bool(q, "all"),
            Limit = Math.Max(0, QueryValues.Int(q, "limit") ?? (QueryValues.Int(q, "last") ?? 0)),
            Size = QueryValues.Bool(q, "size"),
            Filters = FilterSet.Parse(q.Query["filters"]),
        };
        var items = await svc.ListAsync(options, ctx.RequestAborted).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var list = items.Select(i => ContainerMapper.ToSummary(i, now)).ToList();
        await WriteJsonAsync(ctx, list, ContainersJsonContext.Default.ListContainerSummary).ConfigureAwait(false);
    }

    private static async Task Inspect(HttpContext ctx, IContainerQueries svc, string id)
    {
        var i = await svc.InspectAsync(id, QueryValues.Bool(ctx.Request, "size"), ctx.RequestAborted).ConfigureAwait(false);
        var body = ContainerMapper.ToInspect(i.Container, i.Rootfs, i.ExecIds, i.SizeRw, i.SizeRootFs);
        var shaped = ContainerMapper.ShapeInspect(body, ctx.Items[ApiVersionMiddleware.VersionKey] as string ?? Berth.Api.ApiVersions.Current);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            shaped.WriteTo(writer);
        }

        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = buffer.WrittenCount + 1;
        ctx.Response.BodyWriter.Write(buffer.WrittenSpan);
        ctx.Response.BodyWriter.Write("\n"u8);
        await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    private static async Task StartAsync(HttpContext ctx, IContainerLifecycle svc, string id)
    {
        if (QueryValues.String(ctx.Request, "checkpoint") is not null)
        {
            throw BerthException.NotImplemented("checkpoint/restore is not supported");
        }

        await svc.StartAsync(id, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task StopAsync(HttpContext ctx, IContainerLifecycle svc, string id)
    {
        await svc.StopAsync(id, QueryValues.Int(ctx.Request, "t"), QueryValues.String(ctx.Request, "signal"), CancellationToken.None).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task RestartAsync(HttpContext ctx, IContainerLifecycle svc, string id)
    {
        await svc.RestartAsync(id, QueryValues.Int(ctx.Request, "t"), QueryValues.String(ctx.Request, "signal"), CancellationToken.None).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task KillAsync(HttpContext ctx, IContainerLifecycle svc, string id)
    {
        await svc.KillAsync(id, QueryValues.String(ctx.Request, "signal"), CancellationToken.None).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task PauseAsync(HttpContext ctx, IContainerLifecycle svc, string id)
    {
        await svc.PauseAsync(id, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task UnpauseAsync(HttpContext ctx, IContainerLifecycle svc, string id)
    {
        await svc.UnpauseAsync(id, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task RenameAsync(HttpContext ctx, IContainerLifecycle svc, string id)
    {
        await svc.RenameAsync(id, ContainerNameRules.ForRename(QueryValues.String(ctx.Request, "name")), ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task UpdateAsync(HttpContext ctx, IContainerLifecycle svc, string id)
    {
        var body = await ReadJsonAsync(ctx, ContainersJsonContext.Default.ContainerUpdateRequest).ConfigureAwait(false) ?? new Wire.ContainerUpdateRequest();
        var warnings = await svc.UpdateAsync(id, ContainerMapper.ToUpdate(body), ctx.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(ctx, new Wire.ContainerUpdateResponse(warnings), ContainersJsonContext.Default.ContainerUpdateResponse).ConfigureAwait(false);
    }

    private static async Task WaitAsync(HttpContext ctx, IContainerLifecycle svc, string id)
    {
        var condition = QueryValues.String(ctx.Request, "condition") switch
        {
            null or "not-running" => WaitCondition.NotRunning,
            "next-exit" => WaitCondition.NextExit,
            "removed" => WaitCondition.Removed,
            var other => throw BerthException.Invalid($"invalid condition: \"{other}\""),
        };

        // Registered before the response head goes out: a client that starts the container after
        // receiving the head cannot miss the exit.
        var wait = svc.WaitAsync(id, condition, ctx.RequestAborted);
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        Wire.ContainerWaitResponse response;
        try
        {
            var result = await wait.ConfigureAwait(false);
            response = new Wire.ContainerWaitResponse(result.Error is null ? null : new Wire.ContainerWaitExitError(result.Error), result.StatusCode);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        await JsonLines.WriteAsync(ctx.Response.Body, response, ContainersJsonContext.Default.ContainerWaitResponse, JsonLines.Lf, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static async Task ResizeAsync(HttpContext ctx, IContainerStreams svc, string id)
    {
        var h = QueryValues.Int(ctx.Request, "h") ?? 0;
        var w = QueryValues.Int(ctx.Request, "w") ?? 0;
        await svc.ResizeAsync(id, h, w, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task RemoveAsync(HttpContext ctx, IContainerLifecycle svc, string id)
    {
        if (QueryValues.Bool(ctx.Request, "link"))
        {
            await svc.RemoveLinkAsync(id, ctx.RequestAborted).ConfigureAwait(false);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (id.Contains('/', StringComparison.Ordinal))
        {
            throw BerthException.NotFound($"No such container: {id.TrimStart('/')}");
        }

        await svc.RemoveAsync(id, QueryValues.Bool(ctx.Request, "force"), QueryValues.Bool(ctx.Request, "v"), CancellationToken.None).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task PruneAsync(HttpContext ctx, IContainerLifecycle svc)
    {
        var result = await svc.PruneAsync(FilterSet.Parse(ctx.Request.Query["filters"]), ctx.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(ctx, new Wire.ContainerPruneResponse(result.ContainersDeleted.Count == 0 ? null : result.ContainersDeleted, result.SpaceReclaimed), ContainersJsonContext.Default.ContainerPruneResponse).ConfigureAwait(false);
    }

    private static async Task LogsAsync(HttpContext ctx, IContainerStreams svc, TimeProvider time, string id)
    {
        var q = ctx.Request;
        var c = svc.Get(id);
        var now = time.GetUtcNow();
        var tail = QueryValues.String(q, "tail");
        int? tailLines = tail is null or "all" ? null
            : int.TryParse(tail, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : null;
        var options = new LogReadOptions
        {
            Stdout = QueryValues.Bool(q, "stdout"),
            Stderr = QueryValues.Bool(q, "stderr"),
            Follow = QueryValues.Bool(q, "follow"),
            Tail = tailLines,
            Since = QueryValues.String(q, "since") is { } s && s != "0" ? TimeFilter.Parse(s, now) : null,
            Until = QueryValues.String(q, "until") is { } u && u != "0" ? TimeFilter.Parse(u, now) : null,
        };
        var timestamps = QueryValues.Bool(q, "timestamps");
        var details = QueryValues.Bool(q, "details");
        var logs = svc.ReadLogsAsync(c.Id, options, ctx.RequestAborted);

        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = c.Config.Tty ? Hijack.RawStream : Hijack.MultiplexedStream;
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        try
        {
            await LogStreamWriter.WriteAsync(ctx.Response.BodyWriter, logs, multiplexed: !c.Config.Tty, timestamps, details, mergeFrames: !options.Follow, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
        }
    }

    /// <summary>The attach query of POST /attach and GET /attach/ws.</summary>
    private static AttachRequest AttachRequestOf(HttpRequest q) => new()
    {
        Logs = QueryValues.Bool(q, "logs"),
        Stream = QueryValues.Bool(q, "stream"),
        Stdin = QueryValues.Bool(q, "stdin"),
        Stdout = QueryValues.Bool(q, "stdout"),
        Stderr = QueryValues.Bool(q, "stderr"),
        DetachKeys = QueryValues.String(q, "detachKeys"),
    };

    private static async Task AttachAsync(HttpContext ctx, IContainerStreams svc, ILogger<IContainerStreams> logger, string id)
    {
        var plan = svc.PrepareAttach(id, AttachRequestOf(ctx.Request));
        var stream = await Hijack.AcceptAsync(ctx, multiplexed: !plan.Tty).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                await svc.RunAttachAsync(plan, stream, StreamFraming.Writer(stream, !plan.Tty), Hijack.SessionToken(ctx)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The client went away.
                logger.LogDebug(e, "attach to {Id} ended", id);
            }
        }
    }

    /// <summary>
    /// GET /containers/{id}/attach/ws: the same attach over a websocket, as dockerd serves it:
    /// output unframed (a TTY or not), one message per write; binary messages from API 1.28 on,
    /// text before; the client's messages are the container's stdin.
    /// </summary>
    private static async Task AttachWebSocketAsync(HttpContext ctx, IContainerStreams svc, ILogger<IContainerStreams> logger, string id)
    {
        var plan = svc.PrepareAttach(id, AttachRequestOf(ctx.Request));
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            throw BerthException.Invalid("not a websocket request: /attach/ws needs a websocket upgrade");
        }

        var version = ctx.Items[ApiVersionMiddleware.VersionKey] as string ?? Berth.Api.ApiVersions.Current;
        var messageType = Berth.Api.ApiVersions.Compare(version, "1.28") >= 0 ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);

        // Cancelling a pending websocket receive aborts the socket, and the attach cancels its
        // stdin read when the process ends: so the client's messages are read here, into a
        // pipe the attach reads from, and the socket stays usable for the closing handshake.
        var stdin = new System.IO.Pipelines.Pipe();
        var receiving = ReceiveIntoAsync(socket, stdin.Writer);
        var output = WebSocketStream.Create(socket, messageType, ownsWebSocket: false);
        await using (output.ConfigureAwait(false))
        {
            try
            {
                await svc.RunAttachAsync(plan, stdin.Reader.AsStream(), StreamFraming.Writer(output, multiplexed: false), ctx.RequestAborted).ConfigureAwait(false);
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ctx.RequestAborted).ConfigureAwait(false);
                }

                // The client answers the close; one that never does is not waited for long.
                await receiving.WaitAsync(TimeSpan.FromSeconds(10), ctx.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or WebSocketException)
            {
                // The client went away.
                logger.LogDebug(e, "websocket attach to {Id} ended", id);
            }
        }
    }

    /// <summary>Copies the client's messages into <paramref name="stdin"/> until it closes its side (stdin's end).</summary>
    private static async Task ReceiveIntoAsync(WebSocket socket, System.IO.Pipelines.PipeWriter stdin)
    {
        try
        {
            while (true)
            {
                var memory = stdin.GetMemory(16 * 1024);
                var r = await socket.ReceiveAsync(memory, CancellationToken.None).ConfigureAwait(false);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                stdin.Advance(r.Count);
                await stdin.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection went away: that ends stdin too.
        }
        finally
        {
            await stdin.CompleteAsync().ConfigureAwait(false);
        }
    }

    internal static async Task<T?> ReadJsonAsync<T>(HttpContext ctx, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        using var ms = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(ms, ctx.RequestAborted).ConfigureAwait(false);
        if (ms.Length == 0 || ms.ToArray().All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            return null;
        }

        return JsonSerializer.Deserialize(ms.ToArray(), type);
    }

    internal static async Task WriteJsonAsync<T>(HttpContext ctx, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        // One buffer, one write, with a Content-Length: a list of 500 containers (~300 KB) would
        // otherwise go out as dozens of chunked flushes.
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = json.Length + 1;
        var body = ctx.Response.BodyWriter;
        body.Write(json);
        body.Write("\n"u8);
        await body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }
}
