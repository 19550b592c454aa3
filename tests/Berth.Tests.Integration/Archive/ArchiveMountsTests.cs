using System.Formats.Tar;
using System.Net;
using System.Text;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Archive;

public sealed class ArchiveMountsDaemon() : DaemonFixture("cpmnt");

/// <summary>
/// The archive API on a container that is not running sees the container's volumes and binds,
/// as dockerd does (Testcontainers' WithResourceMapping copies files into a created container's
/// volume before starting it, with one PUT at "/" naming "data/f.txt").
/// </summary>
public sealed class ArchiveMountsTests(ArchiveMountsDaemon fixture) : IClassFixture<ArchiveMountsDaemon>, IDisposable
{
    private readonly BerthDaemon _d = fixture.Daemon;
    private readonly string _bind = Directory.CreateTempSubdirectory("berth-cpmnt-").FullName;

    public void Dispose() => Directory.Delete(_bind, recursive: true);

    private static ByteArrayContent Tar(params (string Name, string Content)[] files)
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0x1A4, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
            }
        }

        var body = new ByteArrayContent(ms.ToArray());
        body.Headers.ContentType = new("application/x-tar");
        return body;
    }

    private async Task<(HttpStatusCode Status, string Body)> PutAsync(string id, string path, params (string Name, string Content)[] files)
    {
        using var content = Tar(files);
        using var r = await _d.Http.PutAsync($"/v1.50/containers/{id}/archive?path={Uri.EscapeDataString(path)}", content);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Put_into_the_volume_and_bind_of_a_created_container_lands_in_them_and_the_container_sees_it()
    {
        var vol = "cpmnt-" + Guid.NewGuid().ToString("N")[..8];
        var id = await _d.DockerOkAsync("create", "--network", "none", "-v", vol + ":/data", "-v", _bind + ":/bind", "-v", _bind + ":/robind:ro", "busybox",
            "cat", "/data/f.txt", "/data/g.txt", "/bind/h.txt");
        try
        {
            // Testcontainers' shape: one PUT at "/" with the full path in the entry names (no directory entries).
            var put = await PutAsync(id, "/", ("data/f.txt", "into-volume\n"), ("bind/h.txt", "into-bind\n"));
            Assert.True(put.Status == HttpStatusCode.OK, $"{put.Status} {put.Body}\n{_d.Log}");
            put = await PutAsync(id, "/data", ("g.txt", "second\n"));
            Assert.True(put.Status == HttpStatusCode.OK, $"{put.Status} {put.Body}");

            // The bind's host directory has the file; GET and HEAD on the stopped container see the volume.
            Assert.Equal("into-bind\n", await File.ReadAllTextAsync(Path.Combine(_bind, "h.txt")));
            using (var get = await _d.Http.GetAsync($"/v1.50/containers/{id}/archive?path=/data/f.txt"))
            {
                Assert.Equal(HttpStatusCode.OK, get.StatusCode);
                Assert.Contains("into-volume", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            using (var head = await _d.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v1.50/containers/{id}/archive?path=/bind/h.txt")))
            {
                Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            }

            // A read-only bind refuses, with Docker's message and a 4xx, and nothing is written.
            put = await PutAsync(id, "/robind", ("x.txt", "no\n"));
            Assert.Equal(HttpStatusCode.Forbidden, put.Status);
            Assert.Contains("mounted volume is marked read-only", put.Body, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(_bind, "x.txt")));

            var output = await _d.DockerOkAsync("start", "-a", id);
            Assert.Equal("into-volume\nsecond\ninto-bind", output);

            // Nothing of the views is left mounted once the requests are over.
            Assert.DoesNotContain((await File.ReadAllLinesAsync("/proc/self/mountinfo")), l => l.Contains(_d.DataRoot + "/", StringComparison.Ordinal) && l.Contains("/view-", StringComparison.Ordinal));
        }
        finally
        {
            await _d.DockerAsync("rm", "-f", "-v", id);
            await _d.DockerAsync("volume", "rm", vol);
        }
    }
}
