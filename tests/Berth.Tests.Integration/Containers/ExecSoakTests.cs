using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Tests.Integration.Harness;
using Xunit.Abstractions;

namespace Berth.Tests.Integration.Containers;

/// <summary>
/// Many execs on one long-lived container must not grow berthd: ended exec instances are dropped
/// as dockerd drops them (here with a 1 s collection interval instead of 5 minutes, through
/// BERTH_EXEC_COLLECT_SECONDS), and every descriptor an exec used is closed. 2,000 execs through
/// the raw API, 8 at a time (BERTH_SOAK_EXECS=10000 for the figure: ~28 minutes on a
/// loaded machine with Debug binaries); RSS and open descriptors of berthd end within 10% of
/// where they were after a warm-up.
/// </summary>
public sealed class ExecSoakTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Parallel = 8;
    private const int WarmUp = 200;
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);
    private BerthDaemon _d = null!;

    public async Task InitializeAsync()
    {
        _d = await BerthDaemon.StartAsync("soak", d =>
        {
            d.Environment["BERTH_EXEC_COLLECT_SECONDS"] = "1";
            return Task.CompletedTask;
        });
        await _d.LoadBusyboxAsync();
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task Thousands_of_execs_leave_berthds_memory_and_descriptors_where_they_were()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("BERTH_SOAK_EXECS"), CultureInfo.InvariantCulture, out var n) ? n : 2_000;
        var container = await _d.DockerOkAsync("run", "-d", "busybox", "sleep", "3600");
        var last = await RunExecsAsync(container, WarmUp);
        await UntilGoneAsync(last);
        var (rss0, fds0) = await SettledAsync(_ => true);

        var sw = Stopwatch.StartNew();
        last = await RunExecsAsync(container, count);
        var elapsed = sw.Elapsed;
        var (rssPeak, fdsPeak) = Sample();
        await UntilGoneAsync(last);
        var (rss1, fds1) = await SettledAsync(s => s.Rss <= rss0 * 1.1 && s.Fds <= fds0 * 1.1);

        var figures = string.Create(CultureInfo.InvariantCulture, $"{count} execs in {elapsed.TotalSeconds:F1} s ({count / elapsed.TotalSeconds:F0}/s, {Parallel} at a time); berthd RSS {rss0 / 1024} KiB before, {rssPeak / 1024} KiB right after, {rss1 / 1024} KiB settled; descriptors {fds0} / {fdsPeak} / {fds1}");
        output.WriteLine(figures);
        await File.AppendAllTextAsync(Path.Combine(Path.GetTempPath(), "berth-exec-soak.txt"), figures + "\n");
        Assert.True(rss1 <= rss0 * 1.1, figures);
        Assert.True(fds1 <= fds0 * 1.1, figures);
    }

    /// <summary>Runs execs of `true` (create, attached start, inspect), <see cref="Parallel"/> at a time; returns the last exec's ID.</summary>
    private async Task<string> RunExecsAsync(string container, int count)
    {
        var next = 0;
        var lastId = string.Empty;
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                using var create = await _d.Http.PostAsync($"/v1.50/containers/{container}/exec", Json("""{"Cmd":["true"],"AttachStdout":true,"AttachStderr":true}"""));
                Assert.Equal(HttpStatusCode.Created, create.StatusCode);
                var id = JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement.GetProperty("Id").GetString()!;
                using (var start = await _d.Http.PostAsync($"/v1.50/exec/{id}/start", Json("""{"Detach":false,"Tty":false}""")))
                {
                    Assert.Equal(HttpStatusCode.OK, start.StatusCode);
                    Assert.Empty(await start.Content.ReadAsByteArrayAsync());
                }

                // With a 1 s interval the collector may already have dropped it.
                using var inspect = await _d.Http.GetAsync($"/v1.50/exec/{id}/json");
                if (inspect.StatusCode != HttpStatusCode.NotFound)
                {
                    var state = JsonDocument.Parse(await inspect.Content.ReadAsStringAsync()).RootElement;
                    Assert.Equal(0, state.GetProperty("ExitCode").GetInt32());
                }

                lastId = id;
            }
        }));
        return lastId;
    }

    /// <summary>Until the collector has dropped the exec (then every exec that ended before it too).</summary>
    private async Task UntilGoneAsync(string execId)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            using var r = await _d.Http.GetAsync($"/v1.50/exec/{execId}/json");
            if (r.StatusCode == HttpStatusCode.NotFound)
            {
                return;
            }

            Assert.True(sw.Elapsed < Guard, $"exec {execId} was never collected");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// berthd gives memory back once it has been idle for a second (IdleMemoryTrimmer): samples
    /// for a few seconds and returns the lowest, or the first that satisfies <paramref name="enough"/>.
    /// </summary>
    private async Task<(long Rss, int Fds)> SettledAsync(Func<(long Rss, int Fds), bool> enough)
    {
        var best = Sample();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(5) || (!enough(best) && sw.Elapsed < Guard))
        {
            await Task.Delay(250);
            var s = Sample();
            best = (Math.Min(best.Rss, s.Rss), Math.Min(best.Fds, s.Fds));
        }

        return best;
    }

    private (long Rss, int Fds) Sample()
    {
        var rssLine = File.ReadAllLines($"/proc/{_d.Pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var rss = long.Parse(rssLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return (rss, Directory.GetFileSystemEntries($"/proc/{_d.Pid}/fd").Length);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
