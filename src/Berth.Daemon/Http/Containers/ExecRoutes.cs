using System.Text.Json;
using Berth.Api;
using Berth.Api.Exec;
using Berth.Api.Json;
using Berth.Containers;
using Berth.Containers.Exec;
using Berth.Containers.Streams;
using Berth.Core.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Daemon.Http.Containers;

/// <summary>POST /containers/{id}/exec and the /exec/{id} routes.</summary>
public static class ExecRoutes
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/containers/{id}/exec", CreateAsync);
        api.MapPost("/exec/{id}/start", StartAsync);
        api.MapPost("/exec/{id}/resize", ResizeAsync);
        api.MapGet("/exec/{id}/json", InspectAsync);
    }

    private static async Task CreateAsync(HttpContext ctx, IContainerExec svc, string id)
    {
        var body = await ContainerRoutes.ReadJsonAsync(ctx, ContainersJsonContext.Default.ExecConfig).ConfigureAwait(false)
            ?? throw BerthException.Invalid("No exec command specified");
        var exec = svc.CreateExec(id, new ExecCreateRequest
        {
            Cmd = body.Cmd ?? [],
            Env = body.Env ?? [],
            User = body.User ?? string.Empty,
            WorkingDir = body.WorkingDir ?? string.Empty,
            Tty = body.Tty,
            AttachStdin = body.AttachStdin,
            AttachStdout = body.AttachStdout,
            AttachStderr = body.AttachStderr,
            Privileged = body.Privileged,
            DetachKeys = body.DetachKeys,
            ConsoleSize = body.ConsoleSize,
        });
        ctx.Response.StatusCode = StatusCodes.Status201Created;
        await ContainerRoutes.WriteJsonAsync(ctx, new IdResponse(exec.Id), ContainersJsonContext.Default.IdResponse).ConfigureAwait(false);
    }

    /// <summary>
    /// Attached starts come as an upgrade request carrying a JSON body; the connection middleware
    /// takes that body off the socket into the HijackSession, so Kestrel can upgrade.
    /// As dockerd: the <c>Tty</c> of this start request, not the exec's create config, decides
    /// whether output is stdcopy-framed (docker-py creates with Tty and starts without, and reads
    /// frames); a detached start answers a plain 200 without hijacking, upgrade asked or not; the
    /// upgrade's Content-Type names the multiplexed stream only from API 1.42 on.
    /// </summary>
    private static async Task StartAsync(HttpContext ctx, IContainerExec svc, string id)
    {
        var exec = svc.GetExec(id);
        if (exec.Started)
        {
            throw BerthException.Conflict(exec.Running ? $"exec command {exec.Id} is already running" : $"exec command {exec.Id} has already run");
        }

        _ = svc.Get(exec.ContainerId);
        // A hijack's body was taken off the socket by the connection middleware (bounded by its limit).
        var session = ctx.Features.Get<HijackSession>();
        var request = session is not null
            ? Parse(session.Body)
            : await ContainerRoutes.ReadJsonAsync(ctx, ContainersJsonContext.Default.ExecStartRequest).ConfigureAwait(false) ?? new ExecStartRequest();

        if (request.Detach)
        {
            await svc.StartExecAsync(id, detach: true, request.ConsoleSize, null, null, ctx.RequestAborted).ConfigureAwait(false);
            ctx.Response.StatusCode = StatusCodes.Status200OK;
            if (session is not null)
            {
                // Not upgraded: the connection carries nothing after this answer.
                ctx.Response.Headers.Connection = "close";
            }

            return;
        }

        var multiplexed = !request.Tty;
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true };
        var version = ctx.Items[ApiVersionMiddleware.VersionKey] as string ?? ApiVersions.Current;
        var stream = await Hijack.AcceptAsync(ctx, multiplexed && upgrade && ApiVersions.Compare(version, "1.42") >= 0).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (session is not null)
            {
                // The upgraded stream replays the body before stdin.
                await stream.ReadExactlyAsync(new byte[session.Body.Length], Hijack.SessionToken(ctx)).ConfigureAwait(false);
            }

            var framed = StreamFraming.Writer(stream, multiplexed);

            // dockerd attaches no stderr when the start asks for a TTY: an exec without a terminal
            // of its own then loses its stderr.
            OutputWriter writer = request.Tty
                ? (s, data, ct) => s == Berth.Runtime.OutputStream.Stderr ? ValueTask.CompletedTask : framed(s, data, ct)
                : framed;
            try
            {
                await svc.StartExecAsync(id, detach: false, request.Tty ? request.ConsoleSize : null, stream, writer, Hijack.SessionToken(ctx)).ConfigureAwait(false);
            }
            catch (BerthException e)
            {
                // The head is gone: the error goes on the stream, as Docker does.
                await writer(Berth.Runtime.OutputStream.Stdout, System.Text.Encoding.UTF8.GetBytes(e.Message + "\r\n"), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    private static ExecStartRequest Parse(byte[] body)
    {
        if (body.All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            return new ExecStartRequest();
        }

        return JsonSerializer.Deserialize(body, ContainersJsonContext.Default.ExecStartRequest) ?? new ExecStartRequest();
    }

    private static async Task ResizeAsync(HttpContext ctx, IContainerExec svc, string id)
    {
        await svc.ResizeExecAsync(id, QueryValues.Int(ctx.Request, "h") ?? 0, QueryValues.Int(ctx.Request, "w") ?? 0, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task InspectAsync(HttpContext ctx, IContainerExec svc, string id)
    {
        var e = svc.GetExec(id);
        var r = e.Request;
        var body = new ExecInspectResponse
        {
            CanRemove = e.CanRemove,
            ContainerID = e.ContainerId,
            DetachKeys = r.DetachKeys ?? string.Empty,
            ExitCode = e.ExitCode,
            ID = e.Id,
            OpenStderr = r.AttachStderr,
            OpenStdin = r.AttachStdin,
            OpenStdout = r.AttachStdout,
            ProcessConfig = new ProcessConfig([.. r.Cmd.Skip(1)], r.Cmd.Count > 0 ? r.Cmd[0] : string.Empty, r.Privileged, r.Tty, r.User),
            Running = e.Running,
            Pid = e.Pid,
        };
        await ContainerRoutes.WriteJsonAsync(ctx, body, ContainersJsonContext.Default.ExecInspectResponse).ConfigureAwait(false);
    }
}
