using System.Formats.Tar;
using System.Globalization;
using System.Net;
using System.Text;
using Berth.Tests.Integration.Harness;
using Xunit.Abstractions;

namespace Berth.Tests.Integration.Archive;

public sealed class ArchiveSoakDaemon() : DaemonFixture("cpsoak");

/// <summary>
/// 1,000 cp (archive PUT and GET) on one container, running and then stopped: berthd's open
/// descriptors and resident memory come back to where they were (within 10%), and no view of a
/// stopped container's rootfs stays mounted.
/// </summary>
public sealed class ArchiveSoakTests(ArchiveSoakDaemon fixture, ITestOutputHelper output) : IClassFixture<ArchiveSoakDaemon>
{
    private const int Copies = 1000;
    private readonly BerthDaemon _d = fixture.Daemon;

    private int OpenDescriptors() => Directory.GetFileSystemEntries($"/proc/{_d.Pid}/fd").Length;

    private long RssKiB() =>
        long.Parse(File.ReadLines($"/proc/{_d.Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static byte[] Tar()
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "f.txt") { Mode = (UnixFileMode)0x1A4, DataStream = new MemoryStream(Encoding.UTF8.GetBytes("soak\n")) });
        }

        return ms.ToArray();
    }

    private async Task CopiesAsync(string id, int count, byte[] tar)
    {
        for (var i = 0; i < count; i++)
        {
            using (var content = new ByteArrayContent(tar))
            {
                content.Headers.ContentType = new("application/x-tar");
                using var put = await _d.Http.PutAsync($"/v1.50/containers/{id}/archive?path=/tmp", content);
                Assert.True(put.StatusCode == HttpStatusCode.OK, $"PUT {i}: {put.StatusCode} {await put.Content.ReadAsStringAsync()}");
            }

            using var get = await _d.Http.GetAsync($"/v1.50/containers/{id}/archive?path=/tmp/f.txt");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Contains("soak", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_thousand_copies_leave_descriptors_memory_and_mounts_where_they_were()
    {
        var tar = Tar();
        var id = await _d.DockerOkAsync("run", "-d", "--network", "none", "busybox", "sleep", "600");
        try
        {
            // Warm up (JIT tiers, pools, the heap's working size, the HTTP connection) on both paths, then measure.
            await CopiesAsync(id, 200, tar);
            await _d.DockerOkAsync("stop", "-t", "0", id);
            await CopiesAsync(id, 100, tar);
            await _d.DockerOkAsync("start", id);
            await CopiesAsync(id, 200, tar);
            var fds = OpenDescriptors();
            var rss = RssKiB();

            await CopiesAsync(id, Copies * 3 / 4, tar);
            await _d.DockerOkAsync("stop", "-t", "0", id);
            await CopiesAsync(id, Copies / 4, tar);
            await _d.DockerOkAsync("start", id);

            var fdsAfter = OpenDescriptors();
            var rssAfter = RssKiB();
            output.WriteLine($"berthd descriptors {fds} -> {fdsAfter}, RSS {rss} KiB -> {rssAfter} KiB right after {Copies} PUT+GET");
            Assert.True(fdsAfter <= fds * 1.1, $"descriptors {fds} -> {fdsAfter}");

            // berthd gives memory back once the API has been quiet for a second (IdleMemoryTrimmer):
            // what a leak keeps can never come back, what the collector has not reached yet does.
            await Until.TrueAsync(() => (rssAfter = RssKiB()) <= rss * 1.1, $"RSS back within 10% of {rss} KiB (now {rssAfter} KiB)");
            output.WriteLine($"settled RSS {rssAfter} KiB");
            Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(_d.DataRoot + "/", StringComparison.Ordinal) && l.Contains("/view-", StringComparison.Ordinal));
        }
        finally
        {
            await _d.DockerAsync("rm", "-f", id);
        }
    }
}
