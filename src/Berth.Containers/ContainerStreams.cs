using System.Globalization;
using System.Runtime.CompilerServices;
using Berth.Containers.Model;
using Berth.Containers.Streams;
using Berth.Core.Errors;
using Berth.Runtime;

namespace Berth.Containers;

/// <summary>
/// A container's stdio for clients: logs, attach (from the log for a client attached before the
/// start, live otherwise) and TTY resize. Streams are counted in the container's entry, so an
/// auto-remove waits for them.
/// </summary>
internal sealed class ContainerStreams(ContainerCore core) : ContainerOwner(core), IContainerStreams
{
    /// <summary>
    /// The container's log. NotImplemented for the "none" driver (Docker: "configured logging
    /// driver does not support reading"); a follow ends when the container stops.
    /// </summary>
    public IAsyncEnumerable<LogEntry> ReadLogsAsync(string idOrName, LogReadOptions options, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        if (!options.Stdout && !options.Stderr)
        {
            throw BerthException.Invalid("Bad parameters: you must choose at least one stream");
        }

        if (c.HostConfig.LogConfig.Type == "none")
        {
            throw BerthException.NotImplemented("configured logging driver does not support reading");
        }

        return TrackedLogsAsync(c.Id, options with { Driver = c.HostConfig.LogConfig.Type }, cancellationToken);
    }

    private async IAsyncEnumerable<LogEntry> TrackedLogsAsync(string id, LogReadOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        var entry = Entry(id);
        using var token = entry.TrackStream();
        await foreach (var e in _runtime.ReadLogsAsync(id, options, ct).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>Checks an attach before the connection is hijacked (errors can still be HTTP errors).</summary>
    public AttachPlan PrepareAttach(string idOrName, AttachRequest request)
    {
        var c = Get(idOrName);
        if (c.State.Paused && request.Stream)
        {
            throw BerthException.Conflict($"container {c.Id} is paused, unpause the container before attach");
        }

        if (c.State.Restarting && request.Stream)
        {
            throw BerthException.Conflict($"Container {c.Id} is restarting, wait until the container is running");
        }

        return new AttachPlan(c, request with { Stdin = request.Stdin && c.Config.OpenStdin }, DetachKeys.Parse(request.DetachKeys));
    }

    /// <summary>
    /// Runs an attach: replays the log when asked, then streams output until the container's
    /// process ends (or the client detaches). A client attached before the start (docker run,
    /// docker start -a) reads the output from the log, so nothing the process prints right
    /// after its start is lost; its stdin goes through the runtime's attach once the process runs.
    /// </summary>
    public async Task RunAttachAsync(AttachPlan plan, Stream? input, OutputWriter output, CancellationToken cancellationToken)
    {
        var id = plan.Container.Id;
        var entry = Entry(id);
        var req = plan.Request;
        using var token = entry.TrackStream();
        if (req.Logs && plan.Container.HostConfig.LogConfig.Type != "none")
        {
            await foreach (var e in _runtime.ReadLogsAsync(id, new LogReadOptions { Stdout = req.Stdout, Stderr = req.Stderr, Driver = plan.Container.HostConfig.LogConfig.Type }, cancellationToken).ConfigureAwait(false))
            {
                await output(e.Stream, e.Line, cancellationToken).ConfigureAwait(false);
            }
        }

        if (!req.Stream)
        {
            return;
        }

        Publish(plan.Container, "attach");
        var generation = entry.RunGeneration;
        while (true)
        {
            var changed = entry.Changed;
            var c = TryCurrent(id);
            if (c is null || entry.Removed)
            {
                return;
            }

            if (c.State.Running && !c.State.Restarting && entry.RunGeneration == generation && generation > 0)
            {
                await LiveAttachAsync(c, plan, input, output, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (entry.RunGeneration != generation)
            {
                await AttachFromStartAsync(entry, c, plan, input, output, cancellationToken).ConfigureAwait(false);
                return;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task LiveAttachAsync(Container c, AttachPlan plan, Stream? input, OutputWriter output, CancellationToken ct)
    {
        IAttachment attachment;
        try
        {
            attachment = await _runtime.AttachAsync(c.Id, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The process ended between the check and the attach: nothing more to stream.
            LogWarning(_logger, c.Id, "attaching", e);
            return;
        }

        await using (attachment.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var pumpOut = OutputPump.CopyAsync(attachment.ReadOutputAsync(stop.Token), output, plan.Request.Stdout, plan.Request.Stderr, stop.Token);
            await RunWithInputAsync(c, plan, attachment, input, pumpOut, stop).ConfigureAwait(false);
        }
    }

    private async Task AttachFromStartAsync(ContainerEntry entry, Container c, AttachPlan plan, Stream? input, OutputWriter output, CancellationToken ct)
    {
        var req = plan.Request;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        IAttachment? attachment = null;
        if (req.Stdin && input is not null || c.HostConfig.LogConfig.Type == "none")
        {
            try
            {
                attachment = await _runtime.AttachAsync(c.Id, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWarning(_logger, c.Id, "attaching", e);
            }
        }

        try
        {
            Task pumpOut;
            if (c.HostConfig.LogConfig.Type == "none")
            {
                pumpOut = attachment is null ? Task.CompletedTask : OutputPump.CopyAsync(attachment.ReadOutputAsync(stop.Token), output, req.Stdout, req.Stderr, stop.Token);
            }
            else
            {
                var logs = _runtime.ReadLogsAsync(c.Id, new LogReadOptions { Stdout = req.Stdout, Stderr = req.Stderr, Follow = true, Since = entry.LastStartRequested }, stop.Token);
                pumpOut = PumpLogsAsync(logs, output, stop.Token);
                if (attachment is not null)
                {
                    // Output comes from the log; the live copy is read only so that it never backs up.
                    _ = DrainAsync(attachment.ReadOutputAsync(stop.Token));
                }
            }

            await RunWithInputAsync(c, plan, attachment, input, pumpOut, stop).ConfigureAwait(false);
        }
        finally
        {
            if (attachment is not null)
            {
                await attachment.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task RunWithInputAsync(Container c, AttachPlan plan, IAttachment? attachment, Stream? input, Task pumpOut, CancellationTokenSource stop)
    {
        if (!plan.Request.Stdin || input is null || attachment is null)
        {
            await pumpOut.ConfigureAwait(false);
            return;
        }

        var pumpIn = PumpAttachInputAsync(attachment, input, plan.DetachKeys, c.Config.StdinOnce, stop.Token);
        var first = await Task.WhenAny(pumpOut, pumpIn).ConfigureAwait(false);
        if (first == pumpIn && await pumpIn.ConfigureAwait(false))
        {
            Publish(c, "detach");
            await stop.CancelAsync().ConfigureAwait(false);
            await pumpOut.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return;
        }

        await pumpOut.ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await ((Task)pumpIn).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>True when the client detached; at the end of its input a StdinOnce container's stdin is closed.</summary>
    private static async Task<bool> PumpAttachInputAsync(IAttachment attachment, Stream input, byte[] keys, bool stdinOnce, CancellationToken ct)
    {
        try
        {
            var detached = await InputPump.CopyAsync(input, attachment.WriteInputAsync, keys, ct).ConfigureAwait(false);
            if (!detached && stdinOnce)
            {
                await attachment.CloseInputAsync(ct).ConfigureAwait(false);
            }

            if (!detached)
            {
                // End of input is not the end of the attach: output goes on until the process ends.
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            return detached;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static async Task PumpLogsAsync(IAsyncEnumerable<LogEntry> logs, OutputWriter output, CancellationToken ct)
    {
        try
        {
            await foreach (var e in logs.WithCancellation(ct).ConfigureAwait(false))
            {
                await output(e.Stream, e.Line, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private static async Task DrainAsync(IAsyncEnumerable<OutputChunk> chunks)
    {
        try
        {
            await foreach (var unused in chunks.ConfigureAwait(false))
            {
                _ = unused;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    public async Task ResizeAsync(string idOrName, int height, int width, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        if (!c.State.IsActive && !c.State.Paused)
        {
            throw BerthException.Conflict($"Container {c.Id} is not running");
        }

        await _runtime.ResizeAsync(c.Id, height, width, cancellationToken).ConfigureAwait(false);
        Publish(c, "resize", new Dictionary<string, string>
        {
            ["height"] = height.ToString(CultureInfo.InvariantCulture),
            ["width"] = width.ToString(CultureInfo.InvariantCulture),
        });
    }
}
