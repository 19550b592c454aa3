using System.Text.Json;
using Berth.Api.Json;
using Berth.Containers;
using Berth.Runtime;
using Wire = Berth.Api.Containers;

namespace Berth.Daemon.Http.Containers;

/// <summary>GET /containers/{id}/stats: a sample per second (stream) or one (with the previous one as precpu unless one-shot).</summary>
public static class ContainerStats
{
    public static async Task StatsAsync(HttpContext ctx, IContainerQueries svc, TimeProvider time, string id)
    {
        var c = svc.Get(id);
        var stream = QueryValues.Bool(ctx.Request, "stream", defaultValue: true);
        var oneShot = QueryValues.Bool(ctx.Request, "one-shot");
        if (stream && oneShot)
        {
            throw Berth.Core.Errors.BerthException.Invalid("cannot have stream=true and one-shot=true");
        }

        var ct = ctx.RequestAborted;
        ctx.Response.ContentType = "application/json";
        ContainerStatsSample? previous = null;
        if (!stream)
        {
            var first = await svc.GetStatsAsync(c.Id, ct).ConfigureAwait(false);
            if (!oneShot && first is not null)
            {
                // Docker samples twice, a second apart, so that CPU % can be computed from one reply.
                previous = first;
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct).ConfigureAwait(false);
                first = await svc.GetStatsAsync(c.Id, ct).ConfigureAwait(false) ?? first;
            }

            await WriteAsync(ctx, ToWire(c.Name, c.Id, first, previous, time.GetUtcNow())).ConfigureAwait(false);
            return;
        }

        await ctx.Response.StartAsync(ct).ConfigureAwait(false);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var sample = await svc.GetStatsAsync(c.Id, ct).ConfigureAwait(false);
                await WriteAsync(ctx, ToWire(c.Name, c.Id, sample, previous, time.GetUtcNow())).ConfigureAwait(false);
                await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                if (sample is null && svc.Snapshot.Find(c.Id) is not { State.Running: true })
                {
                    return;
                }

                previous = sample;
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task WriteAsync(HttpContext ctx, Wire.ContainerStatsResponse body)
    {
        await JsonLines.WriteAsync(ctx.Response.Body, body, ContainersJsonContext.Default.ContainerStatsResponse, JsonLines.Lf, ctx.RequestAborted).ConfigureAwait(false);
    }

    public static Wire.ContainerStatsResponse ToWire(string name, string id, ContainerStatsSample? s, ContainerStatsSample? pre, DateTimeOffset now) => new()
    {
        Name = "/" + name,
        Id = id,
        Read = WireTime.Format(s?.Read ?? now),
        PreRead = WireTime.Format(pre?.Read),
        PidsStats = new Wire.PidsStats { Current = s?.PidsCurrent ?? 0, Limit = s?.PidsLimit ?? 0 },
        BlkioStats = new Wire.BlkioStats
        {
            IoServiceBytesRecursive = s is null ? null :
            [
                new Wire.BlkioStatEntry(0, 0, "read", s.BlkioReadBytes),
                new Wire.BlkioStatEntry(0, 0, "write", s.BlkioWriteBytes),
            ],
        },
        CpuStats = Cpu(s),
        PreCpuStats = Cpu(pre),
        MemoryStats = s is null ? new Wire.MemoryStats() : new Wire.MemoryStats
        {
            Usage = s.MemoryUsage,
            MaxUsage = s.MemoryMaxUsage,
            Stats = s.MemoryStats,
            Limit = s.MemoryLimit,
        },
        Networks = s is null || s.Networks.Count == 0 ? null : s.Networks.ToDictionary(n => n.Key, n => new Wire.NetworkStats
        {
            RxBytes = n.Value.RxBytes,
            RxPackets = n.Value.RxPackets,
            TxBytes = n.Value.TxBytes,
            TxPackets = n.Value.TxPackets,
        }),
    };

    private static Wire.CpuStats Cpu(ContainerStatsSample? s) => s is null
        ? new Wire.CpuStats { CpuUsage = new Wire.CpuUsage() }
        : new Wire.CpuStats
        {
            CpuUsage = new Wire.CpuUsage
            {
                TotalUsage = s.CpuTotalNanos,
                PercpuUsage = s.PerCpuNanos.Count > 0 ? s.PerCpuNanos : null,
                UsageInKernelmode = s.CpuSystemNanos,
                UsageInUsermode = s.CpuUserNanos,
            },
            SystemCpuUsage = s.SystemCpuNanos,
            OnlineCpus = s.OnlineCpus,
        };
}
