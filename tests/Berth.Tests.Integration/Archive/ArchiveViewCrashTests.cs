using System.Net;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Archive;

public sealed class ArchiveViewCrashDaemon() : DaemonFixture("cpcrash");

/// <summary>
/// cp on a stopped container mounts a view of its rootfs (with its volumes) under the
/// container's directory. A daemon killed while a view is mounted must collect it at the next
/// start; until then nothing may walk into it, and `rm` must never delete through it into the
/// image layers or the volume.
/// </summary>
public sealed class ArchiveViewCrashTests(ArchiveViewCrashDaemon fixture) : IClassFixture<ArchiveViewCrashDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private List<string> ViewMounts() =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Where(l => l.Contains(_d.DataRoot + "/", StringComparison.Ordinal) && l.Contains("/view-", StringComparison.Ordinal))
            .ToList();

    [Fact]
    public async Task A_view_left_by_a_killed_daemon_is_collected_at_start_and_rm_removes_everything_but_the_volume()
    {
        var vol = "cpcrash-" + Guid.NewGuid().ToString("N")[..8];
        var id = await _d.DockerOkAsync("run", "-d", "--network", "none", "-v", vol + ":/data", "busybox", "sh", "-c",
            "echo kept > /data/keep && dd if=/dev/zero of=/big bs=1M count=64 2>/dev/null");
        Assert.Equal("0", await _d.DockerOkAsync("wait", id));
        var containerDir = Path.Combine(_d.DataRoot, "containers", id);
        Assert.True(Directory.Exists(containerDir), $"expected the container's directory at {containerDir}");

        // A GET of a large file holds the view open while the response is read slowly: the daemon is killed meanwhile.
        using (var client = BerthDaemon.CreateHttpClient(_d.SocketPath))
        {
            using var response = await client.GetAsync($"/v1.50/containers/{id}/archive?path=/big", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            var buf = new byte[65536];
            Assert.True(await body.ReadAsync(buf) > 0);
            Assert.NotEmpty(ViewMounts());
            await _d.KillAsync();
        }

        Assert.NotEmpty(ViewMounts());
        await _d.RestartAsync();
        Assert.Empty(ViewMounts());
        Assert.Empty(Directory.EnumerateDirectories(containerDir, "view-*"));

        // rm answers once the container is gone from the API; its files go in the background (bounded wait).
        await _d.DockerOkAsync("rm", id);
        for (var i = 0; i < 600 && Directory.Exists(containerDir); i++)
        {
            await Task.Delay(100);
        }

        Assert.False(Directory.Exists(containerDir), $"{containerDir} is still there:\n{_d.Log}");

        // The volume was mounted in the view: rm went nowhere near it.
        Assert.Equal("kept", await _d.DockerOkAsync("run", "--rm", "--network", "none", "-v", vol + ":/data", "busybox", "cat", "/data/keep"));
        await _d.DockerOkAsync("volume", "rm", vol);
    }
}
