using System.Text;
using Berth.Containers.Create;
using Berth.Containers.Health;
using Berth.Containers.Model;
using Berth.Core.Model;
using Berth.Runtime;

namespace Berth.Containers;

/// <summary>
/// Health checks: one <see cref="HealthMonitor"/> per running container (held in its entry),
/// probes run through the runtime's exec, results applied under the container's lock.
/// </summary>
internal sealed class ContainerHealthChecks(ContainerCore core) : ContainerOwner(core)
{
    public void StartHealthMonitor(ContainerEntry entry, Container c)
    {
        StopHealthMonitor(entry);
        var config = c.Config.Healthcheck!;
        var startedAt = c.State.StartedAt ?? _time.GetUtcNow();
        var monitor = new HealthMonitor();
        entry.Health = monitor;
        monitor.Start(
            _time,
            () => HealthRules.NextDelay(config, startedAt, _time.GetUtcNow(), TryCurrent(c.Id)?.State.Health?.Status ?? HealthState.Starting),
            ct => ProbeOnceAsync(entry, monitor, c.Id, config, startedAt, ct));
    }

    public static void StopHealthMonitor(ContainerEntry entry)
    {
        entry.Health?.Stop();
        entry.Health = null;
    }

    public static Task StopHealthMonitorAsync(ContainerEntry entry)
    {
        StopHealthMonitor(entry);
        return Task.CompletedTask;
    }

    private async Task ProbeOnceAsync(ContainerEntry entry, HealthMonitor monitor, string id, HealthConfig config, DateTimeOffset startedAt, CancellationToken ct)
    {
        var c = TryCurrent(id);
        if (c is null)
        {
            return;
        }

        var result = await RunProbeAsync(c, config, ct).ConfigureAwait(false);
        await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (monitor.IsStopped || TryCurrent(id) is not { State.IsActive: true } now)
            {
                return;
            }

            var old = now.State.Health ?? new HealthState();
            var updated = HealthRules.Apply(old, result, config, startedAt);
            now = Commit(now with { State = now.State with { Health = updated } }, persist: updated.Status != old.Status);
            if (updated.Status != old.Status)
            {
                Publish(now, "health_status: " + updated.Status);
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Runs the probe through the runtime's exec; a probe that cannot run or overruns its timeout counts as a failure (-1).</summary>
    private async Task<HealthProbeResult> RunProbeAsync(Container c, HealthConfig config, CancellationToken ct)
    {
        var start = _time.GetUtcNow();
        var args = HealthRules.ProbeArgs(config, c.Config.Shell);
        var timeout = HealthRules.Timeout(config);
        var output = new StringBuilder();
        try
        {
            _events.Publish("container", "exec_create: " + string.Join(' ', args), c.Id, new Dictionary<string, string> { ["image"] = c.Config.Image, ["name"] = c.Name });
            await using var session = await _runtime.ExecAsync(c.Id, new ExecLaunch
            {
                Args = args,
                Env = LaunchBuilder.Environment(c.Config, tty: false),
                Cwd = c.Config.WorkingDir.Length > 0 ? c.Config.WorkingDir : "/",
                User = c.Config.User,
            }, ct).ConfigureAwait(false);
            using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeoutCts.CancelAfter(timeout);
            var bytes = 0;
            var reader = Task.Run(async () =>
            {
                await foreach (var chunk in session.ReadOutputAsync(timeoutCts.Token).ConfigureAwait(false))
                {
                    var keep = Math.Min(HealthRules.MaxOutputBytes - bytes, chunk.Data.Length);
                    if (keep > 0)
                    {
                        lock (output)
                        {
                            output.Append(Encoding.UTF8.GetString(chunk.Data.Span[..keep]));
                        }

                        bytes += keep;
                    }
                }
            }, CancellationToken.None);
            int code;
            try
            {
                code = await session.WaitAsync(timeoutCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                var text = Text(output);
                var secs = timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "s";
                return new HealthProbeResult(start, _time.GetUtcNow(), -1, text.Length > 0 ? $"Health check exceeded timeout ({secs}): {text}" : $"Health check exceeded timeout ({secs})");
            }

            try
            {
                await reader.WaitAsync(TimeSpan.FromSeconds(2), _time, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                // Output still open after the exit (a background child holds it): report what came.
            }

            return new HealthProbeResult(start, _time.GetUtcNow(), code, Text(output));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new HealthProbeResult(start, _time.GetUtcNow(), -1, e.Message);
        }
    }

    private static string Text(StringBuilder sb)
    {
        lock (sb)
        {
            return sb.ToString();
        }
    }
}
