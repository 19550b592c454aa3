using System.Formats.Tar;
using System.Text;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Archive;

public sealed class ArchiveRaceDaemon() : DaemonFixture("cprace");

/// <summary>
/// The CVE-2018-15664 class of attack on docker cp: a running container swaps a path component
/// (a real directory) for a symlink to "/" in a tight loop while the archive API works on it. A
/// daemon that resolves the path first and uses the resulting host path later follows the
/// symlink on the host side and reads or changes the host's files. Berth resolves and acts on
/// directory descriptors only, so whatever the timing, nothing outside the container is touched.
/// </summary>
public sealed class ArchiveRaceTests(ArchiveRaceDaemon fixture) : IClassFixture<ArchiveRaceDaemon>, IDisposable
{
    private const int Rounds = 1000;
    private readonly BerthDaemon _d = fixture.Daemon;

    // The host side of the attack: /tmp/NAME exists on the host and inside the container.
    private readonly string _name = "berth-cprace-" + Guid.NewGuid().ToString("N")[..12];

    private string HostDir => Path.Combine("/tmp", _name);

    private readonly List<string> _cleanup = [];

    public void Dispose()
    {
        foreach (var dir in _cleanup.Append(HostDir).Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Cp_both_ways_while_the_container_swaps_a_directory_for_a_symlink_to_root_never_touches_the_host()
    {
        var marker = "HOST-SECRET-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(HostDir);
        var secret = Path.Combine(HostDir, "secret");
        await File.WriteAllTextAsync(secret, marker);
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var before = Snapshot();

        // /x is, in turn, a real directory holding tmp/NAME and a symlink to the container's "/": a
        // static program in the container exchanges /x and /y (renameat2 RENAME_EXCHANGE) in a
        // tight loop, as an attacker would (a shell loop of mv and ln is far too slow to hit the window).
        var swapper = await SwapperAsync();
        var script = $"mkdir -p /x/tmp/{_name} /tmp/{_name} && echo inside-dir > /x/tmp/{_name}/secret && echo inside-root > /tmp/{_name}/secret && ln -s / /y && " +
            "while [ ! -x /swap ]; do sleep 0.1; done; exec /swap";
        var id = await _d.DockerOkAsync("run", "-d", "--network", "none", "busybox", "sh", "-c", script);
        try
        {
            await _d.DockerOkAsync("cp", swapper, id + ":/swap.tmp");
            await _d.DockerOkAsync("exec", id, "sh", "-c", "chmod 755 /swap.tmp && mv /swap.tmp /swap");
            for (var i = 0; i < 600 && (await _d.DockerAsync("exec", id, "cat", "/proc/1/comm")).Out.Trim() != "swap"; i++)
            {
                await Task.Delay(100);
            }

            var put = PutArchive();
            var file = $"/x/tmp/{_name}/secret";
            var dir = $"/x/tmp/{_name}";
            int okGets = 0, okPuts = 0, okHeads = 0;
            var leaks = new List<string>();
            for (var round = 0; round < Rounds && leaks.Count < 20; round++)
            {
                foreach (var path in new[] { file, dir })
                {
                    using var r = await _d.Http.GetAsync($"/v1.50/containers/{id}/archive?path={Uri.EscapeDataString(path)}", HttpCompletionOption.ResponseHeadersRead);
                    var body = await ReadWhatArrivesAsync(r);
                    if (body.Contains(marker, StringComparison.Ordinal))
                    {
                        leaks.Add($"round {round}: GET {path} returned the host's file");
                    }

                    okGets += r.IsSuccessStatusCode ? 1 : 0;
                }

                using (var head = new HttpRequestMessage(HttpMethod.Head, $"/v1.50/containers/{id}/archive?path={Uri.EscapeDataString(file)}"))
                using (var r = await _d.Http.SendAsync(head))
                {
                    if (r.IsSuccessStatusCode)
                    {
                        okHeads++;
                        var stat = Encoding.UTF8.GetString(Convert.FromBase64String(r.Headers.GetValues("X-Docker-Container-Path-Stat").Single()));
                        if (stat.Contains($"\"size\":{marker.Length},", StringComparison.Ordinal))
                        {
                            leaks.Add($"round {round}: HEAD {file} stat the host's file: {stat}");
                        }
                    }
                }

                using (var content = new ByteArrayContent(put))
                {
                    content.Headers.ContentType = new("application/x-tar");
                    using var r = await _d.Http.PutAsync($"/v1.50/containers/{id}/archive?path={Uri.EscapeDataString(dir)}", content);
                    okPuts += r.IsSuccessStatusCode ? 1 : 0;
                }

                var now = Snapshot();
                if (!now.SequenceEqual(before))
                {
                    leaks.Add($"round {round}: the host directory changed: {string.Join(", ", now)}");
                    RestoreHost(marker);
                    before = Snapshot();
                }
            }

            Assert.True(leaks.Count == 0, string.Join('\n', leaks));

            // The race was really run: each kind of request succeeded inside the container many times.
            Assert.True(okGets > Rounds / 10 && okPuts > Rounds / 10 && okHeads > Rounds / 10, $"GET {okGets}, PUT {okPuts}, HEAD {okHeads} of {Rounds}");
        }
        finally
        {
            await _d.DockerAsync("rm", "-f", id);
        }
    }

    /// <summary>The response body, or as much of it as arrived when the daemon ended it early (a tree that changed under it).</summary>
    private static async Task<string> ReadWhatArrivesAsync(HttpResponseMessage r)
    {
        var received = new MemoryStream();
        try
        {
            await using var body = await r.Content.ReadAsStreamAsync();
            await body.CopyToAsync(received);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    /// <summary>Puts the host directory back as it was (after a failure, so that further rounds can show more).</summary>
    private void RestoreHost(string marker)
    {
        Directory.Delete(HostDir, recursive: true);
        Directory.CreateDirectory(HostDir);
        File.WriteAllText(Path.Combine(HostDir, "secret"), marker);
        File.SetUnixFileMode(Path.Combine(HostDir, "secret"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
    }

    /// <summary>A static program that exchanges /x and /y for ever (four renames where exchange is refused).</summary>
    private async Task<string> SwapperAsync()
    {
        var dir = Directory.CreateTempSubdirectory("berth-swapper-").FullName;
        var source = Path.Combine(dir, "swap.c");
        await File.WriteAllTextAsync(source, """
            #define _GNU_SOURCE
            #include <fcntl.h>
            #include <stdio.h>
            #include <unistd.h>
            #include <sys/syscall.h>
            #include <linux/fs.h>
            int main(void) {
                for (;;) {
                    if (syscall(SYS_renameat2, AT_FDCWD, "/x", AT_FDCWD, "/y", RENAME_EXCHANGE) != 0) {
                        rename("/x", "/d"); rename("/y", "/x"); rename("/x", "/y"); rename("/d", "/x");
                    }
                }
            }
            """);
        var binary = Path.Combine(dir, "swap");
        await Shell.CheckAsync("gcc", "-static", "-O2", "-o", binary, source);
        _cleanup.Add(dir);
        return binary;
    }

    /// <summary>Names, sizes, modes, owners and times of everything in the host directory.</summary>
    private List<string> Snapshot() =>
        Directory.EnumerateFileSystemEntries(HostDir, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(p =>
            {
                var st = Berth.Platform.Files.PosixFiles.Lstat(p);
                return $"{p} {st.Mode:x} {st.Uid}:{st.Gid} {st.Size} {st.MtimeSeconds}.{st.MtimeNanos}";
            })
            .Append("dir " + Berth.Platform.Files.PosixFiles.Lstat(HostDir).Mode.ToString("x", System.Globalization.CultureInfo.InvariantCulture))
            .ToList();

    /// <summary>A tar that replaces "secret", makes a world-writable directory with a file, and adds a new file.</summary>
    private static byte[] PutArchive()
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "sub/") { Mode = (UnixFileMode)0x1FF, Uid = 4242, Gid = 4242 });
            foreach (var name in new[] { "sub/f", "pwned", "secret" })
            {
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    Mode = (UnixFileMode)0x1B6,
                    Uid = 4242,
                    Gid = 4242,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes("put-by-the-test\n")),
                });
            }
        }

        return ms.ToArray();
    }
}
