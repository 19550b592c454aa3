using System.Diagnostics;
using System.Text.Json;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

/// <summary>
/// A full disk under the data root (container logs) and the exec root (exit records) must not
/// kill a container's monitor: log lines are dropped and the error reported, as dockerd does; an
/// exit record that cannot be written is kept by the monitor and served over its socket until the
/// write succeeds. Both roots are small tmpfs mounts filled to the brim.
/// </summary>
public sealed class FullDiskTests : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);
    private BerthDaemon _d = null!;

    public async Task InitializeAsync()
    {
        _d = await BerthDaemon.StartAsync("full", async d =>
        {
            await Shell.CheckAsync("mount", "-t", "tmpfs", "-o", "size=64m", "berth-full-data", d.DataRoot);
            await Shell.CheckAsync("mount", "-t", "tmpfs", "-o", "size=8m", "berth-full-exec", d.ExecRoot);
        });
        await _d.LoadBusyboxAsync();
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task A_full_disk_drops_log_lines_but_the_container_its_stop_and_its_exit_code_survive()
    {
        var id = await _d.DockerOkAsync("run", "-d", "busybox", "sh", "-c", "trap 'exit 3' TERM; i=0; while :; do i=$((i+1)); echo \"line $i\"; sleep 0.01; done");
        var logPath = await _d.DockerOkAsync("inspect", "-f", "{{.LogPath}}", id);
        await UntilAsync(() => File.Exists(logPath) && new FileInfo(logPath).Length > 0, "the first log lines");

        var dataFill = Fill(_d.DataRoot);
        await UntilAsync(() => _d.Log.Contains($"container {id}: Error writing log message", StringComparison.Ordinal), "the monitor to report the failed log write");

        // The container runs on, the daemon serves.
        Assert.Equal("true", await _d.DockerOkAsync("inspect", "-f", "{{.State.Running}}", id));
        Assert.Contains(id[..12], await _d.DockerOkAsync("ps", "-q"), StringComparison.Ordinal);
        Assert.Equal("still here", await _d.DockerOkAsync("exec", id, "echo", "still here"));

        // Room again: the log goes on after a gap.
        File.Delete(dataFill);
        await UntilAsync(() => _d.Log.Contains($"container {id}: log writes resumed", StringComparison.Ordinal), "log writes to resume");

        // Now the exec root too: the exit record cannot be written when the container stops.
        var execFill = Fill(_d.ExecRoot);
        await _d.DockerOkAsync("stop", "-t", "30", id);
        Assert.Equal("exited 3", await _d.DockerOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id));
        var exitFile = Path.Combine(_d.ExecRoot, "containers", id, "exit");
        Assert.False(File.Exists(exitFile));
        Assert.Contains($"container {id}: cannot write the exit record", _d.Log, StringComparison.Ordinal);

        // A daemon that comes back meanwhile learns the exit from the monitor.
        await _d.KillAsync();
        await _d.RestartAsync();
        Assert.Equal("exited 3", await _d.DockerOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id));

        File.Delete(execFill);
        await UntilAsync(() => File.Exists(exitFile), "the monitor to write the exit record");
        Assert.StartsWith("3 0 ", await File.ReadAllTextAsync(exitFile), StringComparison.Ordinal);

        // Nothing is corrupt: every entry is whole, and lines were dropped only in the gap.
        var numbers = new List<int>();
        foreach (var line in await File.ReadAllLinesAsync(logPath))
        {
            using var entry = JsonDocument.Parse(line);
            var text = entry.RootElement.GetProperty("log").GetString()!;
            Assert.Equal("stdout", entry.RootElement.GetProperty("stream").GetString());
            Assert.StartsWith("line ", text, StringComparison.Ordinal);
            numbers.Add(int.Parse(text[5..].TrimEnd('\n'), System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(numbers.Order(), numbers);
        Assert.Contains(numbers.Zip(numbers.Skip(1)), p => p.Second > p.First + 1);
        await _d.DockerOkAsync("rm", id);
    }

    /// <summary>Writes a file until the file system has no room left; returns its path.</summary>
    private static string Fill(string root)
    {
        var path = Path.Combine(root, "fill");
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        foreach (var size in new[] { 1 << 20, 4096, 1 })
        {
            var chunk = new byte[size];
            try
            {
                while (true)
                {
                    f.Write(chunk);
                }
            }
            catch (IOException)
            {
            }
        }

        return path;
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < Guard, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
