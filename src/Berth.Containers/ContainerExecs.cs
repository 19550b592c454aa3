using System.Globalization;
using Berth.Containers.Create;
using Berth.Containers.Exec;
using Berth.Containers.Model;
using Berth.Containers.Streams;
using Berth.Core.Errors;
using Berth.Core.Ids;
using Berth.Runtime;
using Microsoft.Extensions.Logging;

namespace Berth.Containers;

/// <summary>
/// Exec instances: created, started (attached or detached), resized, and collected on dockerd's
/// schedule once ended. The <see cref="ExecStore"/> is this owner's alone.
/// </summary>
internal sealed partial class ContainerExecs : ContainerOwner, IContainerExec
{
    private readonly ContainerNetworking _networking;
    private readonly ExecStore _execs = new();
    private readonly PeriodicTimer _execCollector;

    public ContainerExecs(ContainerCore core, ContainerNetworking networking)
        : base(core)
    {
        _networking = networking;
        // Created here, not in the loop: its schedule starts with the service.
        _execCollector = new PeriodicTimer(core.Options.ExecCollectInterval, core.Time);
        Background(CollectExecsAsync);
    }

    public ExecInstance CreateExec(string idOrName, ExecCreateRequest request)
    {
        var c = Get(idOrName);
        EnsureExecAllowed(c);
        if (request.Cmd.Count == 0)
        {
            throw BerthException.Invalid("No exec command specified");
        }

        if (request.DetachKeys is { Length: > 0 } keys)
        {
            DetachKeys.Parse(keys);
        }

        foreach (var env in request.Env)
        {
            if (ConfigMerger.EnvKey(env).Length == 0)
            {
                throw BerthException.Invalid($"invalid environment variable: {env}");
            }
        }

        var exec = new ExecInstance(IdGenerator.NewId(), c.Id, request);
        _execs.Add(exec);
        Publish(c, "exec_create: " + string.Join(' ', request.Cmd), new Dictionary<string, string> { ["execID"] = exec.Id });
        return exec;
    }

    public ExecInstance GetExec(string execId) =>
        _execs.Find(execId) ?? throw BerthException.NotFound($"No such exec instance: {execId}");

    /// <summary>IDs of the container's exec instances (inspect's ExecIDs; null when none, as Docker).</summary>
    public IReadOnlyList<string>? ExecIdsOf(string containerId)
    {
        var ids = _execs.ForContainer(containerId).Where(e => _execs.Find(e) is { Running: true } || _execs.Find(e) is { Started: false }).ToList();
        return ids.Count == 0 ? null : ids;
    }

    /// <summary>Number of exec instances held (ended ones are dropped by <see cref="CollectExecsAsync"/>).</summary>
    public int ExecInstanceCount => _execs.Count;

    /// <summary>A removed container's exec instances go with it.</summary>
    public void ForgetContainer(string containerId)
    {
        foreach (var execId in _execs.ForContainer(containerId))
        {
            _execs.Remove(execId);
        }
    }

    /// <summary>Drops ended exec instances on dockerd's schedule (see <see cref="ExecStore"/>) until the service is disposed.</summary>
    private async Task CollectExecsAsync()
    {
        while (await _execCollector.WaitForNextTickAsync(_shutdown.Token).ConfigureAwait(false))
        {
            var dropped = _execs.Collect();
            if (dropped > 0)
            {
                LogExecsCollected(_logger, dropped);
            }
        }
    }

    private static void EnsureExecAllowed(Container c)
    {
        if (!c.State.Running)
        {
            throw BerthException.Conflict($"container {c.Id} is not running");
        }

        if (c.State.Paused)
        {
            throw BerthException.Conflict($"Container {c.Id} is paused, unpause the container before exec");
        }

        if (c.State.Restarting)
        {
            throw BerthException.Conflict($"Container {c.Id} is restarting, wait until the container is running");
        }
    }

    /// <summary>
    /// Starts an exec instance. Detached: returns once it runs. Attached: pumps
    /// <paramref name="input"/> to its stdin and its output to <paramref name="output"/> until it ends
    /// (or the client detaches with the detach keys) and records the exit code.
    /// </summary>
    public async Task StartExecAsync(string execId, bool detach, IReadOnlyList<int>? consoleSize, Stream? input, OutputWriter? output, CancellationToken cancellationToken)
    {
        var exec = GetExec(execId);
        var c = TryCurrent(exec.ContainerId) ?? throw BerthException.NotFound($"No such container: {exec.ContainerId}");
        EnsureExecAllowed(c);
        if (!exec.TryBegin())
        {
            throw BerthException.Conflict(exec.Running ? $"exec command {exec.Id} is already running" : $"exec command {exec.Id} has already run");
        }

        var r = exec.Request;
        Publish(c, "exec_start: " + string.Join(' ', r.Cmd), new Dictionary<string, string> { ["execID"] = exec.Id });
        IExecSession session;
        try
        {
            session = await _runtime.ExecAsync(c.Id, new ExecLaunch
            {
                Args = r.Cmd,
                Env = LaunchBuilder.ReplaceOrAppend(LaunchBuilder.Environment(c.Config, r.Tty, _networking.LinkEnvironmentOf(c, c.Network)), r.Env),
                Cwd = r.WorkingDir.Length > 0 ? r.WorkingDir : c.Config.WorkingDir.Length > 0 ? c.Config.WorkingDir : "/",
                User = r.User.Length > 0 ? r.User : c.Config.User,
                Tty = r.Tty,
                AttachStdin = r.AttachStdin && !detach,
                Privileged = r.Privileged,
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Docker reports an exec that could not start as exit code 126, with the reason on the stream.
            exec.SetExited(126);
            PublishExecDie(exec, 126);
            if (output is not null && !detach)
            {
                await output(OutputStream.Stdout, System.Text.Encoding.UTF8.GetBytes(e.Message + "\r\n"), cancellationToken).ConfigureAwait(false);
                return;
            }

            throw e is BerthException ? e : new BerthException(ErrorKind.Internal, e.Message, e);
        }

        exec.SetRunning(session);
        var size = consoleSize ?? r.ConsoleSize;
        if (r.Tty && size is [> 0, > 0])
        {
            try
            {
                await session.ResizeAsync(size[0], size[1], CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWarning(_logger, c.Id, "resizing an exec", e);
            }
        }

        if (detach || output is null)
        {
            Background(() => RunDetachedExecAsync(exec, session));
            return;
        }

        await using (session.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pumpOut = OutputPump.CopyAsync(session.ReadOutputAsync(stop.Token), output, r.AttachStdout, r.AttachStderr, stop.Token);
            Task<bool>? pumpIn = null;
            if (r.AttachStdin && input is not null)
            {
                pumpIn = PumpExecInputAsync(session, input, DetachKeys.Parse(r.DetachKeys), stop.Token);
            }

            var finished = pumpIn is null ? await Task.WhenAny(pumpOut).ConfigureAwait(false) : await Task.WhenAny(pumpOut, pumpIn).ConfigureAwait(false);
            if (finished == pumpIn && await pumpIn.ConfigureAwait(false))
            {
                // Detached with the key sequence: the process keeps running on its own.
                Publish(c, "exec_detach", new Dictionary<string, string> { ["execID"] = exec.Id });
                await stop.CancelAsync().ConfigureAwait(false);
                Background(() => FinishExecAsync(exec, session));
                return;
            }

            if (finished != pumpOut)
            {
                await pumpOut.ConfigureAwait(false);
            }

            int code;
            try
            {
                code = await session.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                code = 137;
            }

            await stop.CancelAsync().ConfigureAwait(false);
            exec.SetExited(code);
            PublishExecDie(exec, code);
        }
    }

    private async Task<bool> PumpExecInputAsync(IExecSession session, Stream input, byte[] keys, CancellationToken ct)
    {
        try
        {
            var detached = await InputPump.CopyAsync(input, session.WriteInputAsync, keys, ct).ConfigureAwait(false);
            if (!detached)
            {
                await session.CloseInputAsync(ct).ConfigureAwait(false);
            }

            return detached;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Never a detach: the output pump decides when the exec is over.
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return false;
        }
    }

    private async Task RunDetachedExecAsync(ExecInstance exec, IExecSession session)
    {
        await using (session.ConfigureAwait(false))
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
            var drain = Task.Run(async () =>
            {
                await foreach (var unused in session.ReadOutputAsync(cts.Token).ConfigureAwait(false))
                {
                    _ = unused;
                }
            }, CancellationToken.None);
            await FinishExecAsync(exec, session).ConfigureAwait(false);
            await cts.CancelAsync().ConfigureAwait(false);
            await drain.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task FinishExecAsync(ExecInstance exec, IExecSession session)
    {
        int code;
        try
        {
            code = await session.WaitAsync(_shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        exec.SetExited(code);
        PublishExecDie(exec, code);
    }

    private void PublishExecDie(ExecInstance exec, int code)
    {
        if (TryCurrent(exec.ContainerId) is { } c)
        {
            Publish(c, "exec_die", new Dictionary<string, string> { ["execID"] = exec.Id, ["exitCode"] = code.ToString(CultureInfo.InvariantCulture) });
        }
    }

    public async Task ResizeExecAsync(string execId, int height, int width, CancellationToken cancellationToken)
    {
        var exec = GetExec(execId);
        if (exec.Session is not { } session || !exec.Running)
        {
            throw BerthException.Conflict($"Exec {execId} is not running, so it can not be resized.");
        }

        await session.ResizeAsync(height, width, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Daemon shutdown: the collector's loop ends.</summary>
    public void StopCollector() => _execCollector.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "clean {Count} unused exec commands")]
    private static partial void LogExecsCollected(ILogger logger, int count);
}
