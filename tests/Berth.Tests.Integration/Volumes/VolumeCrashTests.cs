using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Volumes;

public sealed class VolumeCrashDaemon() : DaemonFixture("volk");

/// <summary>
/// kill -9 of berthd in the middle of volume create, copy-up and commit: after the restart no
/// half-made volume or image is listed, nothing unlisted is left on disk, an existing volume keeps
/// its data, and an interrupted copy-up is redone at the next start (never left looking full).
/// Each test waits until the operation is visibly under way on disk before it kills.
/// </summary>
public sealed class VolumeCrashTests(VolumeCrashDaemon fixture) : IClassFixture<VolumeCrashDaemon>
{
    private const string CopyUpPartial = ".berth-copyup-partial";
    private const string CopyUpDone = ".berth-copyup-done";
    private const string Checksum = "cd /data && find . | sort | md5sum && find . -type f | sort | xargs md5sum | md5sum";

    private readonly BerthDaemon _d = fixture.Daemon;

    private string VolumesRoot => Path.Combine(_d.DataRoot, "volumes");

    private static string Name(string what) => $"{what}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{_d.Log}");
        return r.Out;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(2);
        }
    }

    /// <summary>A named volume holding data, written through a container; returns (name, content).</summary>
    private async Task<(string Name, string Content)> PreciousVolumeAsync()
    {
        var v = Name("precious");
        var content = Guid.NewGuid().ToString("N");
        await OkAsync("run", "--rm", "--network", "none", "-v", $"{v}:/p", "busybox", "sh", "-c", $"mkdir /p/sub && echo {content} > /p/sub/f && head -c 3000000 /dev/urandom > /p/blob && md5sum /p/blob > /p/blob.md5");
        return (v, content);
    }

    private async Task AssertPreciousIntactAsync((string Name, string Content) precious) =>
        Assert.Equal(precious.Content + "\n/p/blob: OK", await OkAsync("run", "--rm", "--network", "none", "-v", $"{precious.Name}:/p", "busybox", "sh", "-c", "cat /p/sub/f && md5sum -c /p/blob.md5"));

    /// <summary>Volumes listed by the daemon equal the volume directories on disk, and each is whole.</summary>
    private async Task<List<string>> AssertListedEqualsOnDiskAsync()
    {
        var listed = (await OkAsync("volume", "ls", "-q")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        var onDisk = Directory.GetFileSystemEntries(VolumesRoot).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(listed, onDisk);
        foreach (var v in listed)
        {
            Assert.True(Directory.Exists(Path.Combine(VolumesRoot, v, "_data")), $"{v} has no _data");
            Assert.True(File.Exists(Path.Combine(VolumesRoot, v, "volume.json")), $"{v} has no volume.json");
            Assert.False(Directory.Exists(Path.Combine(VolumesRoot, v, "_data", CopyUpPartial)), $"{v} has a partial copy-up");
            Assert.False(Directory.Exists(Path.Combine(VolumesRoot, v, "_data", CopyUpDone)), $"{v} has an unfinished copy-up");
        }

        return listed;
    }

    [Fact]
    public async Task Kill_during_concurrent_volume_creates_lists_only_whole_volumes_and_keeps_existing_data()
    {
        var precious = await PreciousVolumeAsync();
        var prefix = Name("burst");
        // Creates go on, 16 at a time, until the daemon is killed: some are always in flight then,
        // however fast the machine (a fixed batch could all finish before the kill).
        var issued = new ConcurrentBag<string>();
        var acknowledged = new ConcurrentBag<string>();
        var counter = -1;
        var killed = 0;
        var workers = Enumerable.Range(0, 16).Select(async _ =>
        {
            while (Volatile.Read(ref killed) == 0)
            {
                var n = $"{prefix}-{Interlocked.Increment(ref counter):D5}";
                issued.Add(n);
                try
                {
                    using var body = new StringContent($"{{\"Name\":\"{n}\",\"Labels\":{{\"burst\":\"1\"}}}}", Encoding.UTF8, "application/json");
                    using var r = await _d.Http.PostAsync("/v1.50/volumes/create", body);
                    if (r.StatusCode == HttpStatusCode.Created)
                    {
                        acknowledged.Add(n);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
                {
                    // Cut off by the kill: not acknowledged, so it may or may not exist afterwards.
                    return;
                }
            }
        }).ToList();

        await WaitUntilAsync(() => acknowledged.Count >= 30, "the first creates", TimeSpan.FromSeconds(60));
        await _d.KillAsync();
        Volatile.Write(ref killed, 1);
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        var names = issued.Order(StringComparer.Ordinal).ToList();
        var before = acknowledged.Count;

        await _d.RestartAsync();
        var listed = await AssertListedEqualsOnDiskAsync();
        Assert.True(!acknowledged.Except(listed).Any(), $"answered creates lost: {string.Join(' ', acknowledged.Except(listed))} (answered {before}, listed {listed.Count})"); // an answered create is durable
        await AssertPreciousIntactAsync(precious);

        // The daemon's labels survived for every listed burst volume, and the rest can still be made.
        var burst = listed.Where(v => v.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(burst, (await OkAsync("volume", "ls", "-q", "--filter", "label=burst=1")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(v => v.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var missing = names.Except(listed).Take(20).Append($"{prefix}-never-issued").ToList();
        foreach (var n in missing)
        {
            Assert.Equal(n, await OkAsync("volume", "create", n));
        }

        await OkAsync(["volume", "rm", .. names.Intersect(listed), .. missing]);
    }

    [Fact]
    public async Task Kill_during_copy_up_leaves_the_volume_empty_or_complete_and_the_next_start_fills_it()
    {
        var precious = await PreciousVolumeAsync();

        // An image whose /data is big enough that copy-up takes a while: 1600 small files and 4 large ones.
        var seed = Name("seed");
        await OkAsync("run", "--network", "none", "--name", seed, "busybox", "sh", "-c",
            "mkdir /data && for d in $(seq 1 16); do mkdir /data/d$d; for f in $(seq 1 100); do head -c $((d * 1000 + f)) /dev/urandom > /data/d$d/f$f; done; ln -s f1 /data/d$d/link; done; " +
            "for b in 1 2 3 4; do head -c 25000000 /dev/urandom > /data/big$b; done; ln /data/big1 /data/hard1; chown -R 7:8 /data/d3; chmod 0750 /data");
        var image = Name("copyimg") + ":v1";
        await OkAsync("commit", seed, image);
        await OkAsync("rm", seed);
        var expected = await OkAsync("run", "--rm", "--network", "none", image, "sh", "-c", Checksum);

        var vol = Name("copyvol");
        var c = Name("copyup");
        await OkAsync("create", "--network", "none", "--name", c, "-v", $"{vol}:/data", image, "sh", "-c", Checksum);
        var data = Path.Combine(VolumesRoot, vol, "_data");
        var start = _d.DockerAsync("start", c);
        await WaitUntilAsync(() => FilesUnder(data) >= 20, "the copy-up to be under way", TimeSpan.FromSeconds(60));
        await _d.KillAsync();
        Assert.NotEqual(0, (await start).ExitCode);

        await _d.RestartAsync();
        await AssertListedEqualsOnDiskAsync();
        await AssertPreciousIntactAsync(precious);

        // Cut short: the volume is empty again, or complete if the kill came after the copy was; never "full" with part of the data.
        if (Directory.EnumerateFileSystemEntries(data).Any())
        {
            Assert.Equal(expected, await OkAsync("run", "--rm", "--network", "none", "-v", $"{vol}:/data:nocopy", "busybox", "sh", "-c", Checksum));
        }
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(_d.DataRoot, "containers"), "copyup", SearchOption.AllDirectories));
        Assert.DoesNotContain(Path.Combine(_d.DataRoot, "containers"), await File.ReadAllTextAsync("/proc/self/mountinfo"), StringComparison.Ordinal);

        // The next start copies it whole, once.
        Assert.Equal(expected, await OkAsync("start", "-a", c));
        Assert.Equal(expected, await OkAsync("run", "--rm", "--network", "none", "-v", $"{vol}:/data", "busybox", "sh", "-c", Checksum));
        Assert.Equal("7:8 750", await OkAsync("run", "--rm", "--network", "none", "-v", $"{vol}:/data", "busybox", "sh", "-c", "echo $(stat -c %u:%g /data/d3/f1) $(stat -c %a /data)"));
        Assert.Equal("2", await OkAsync("run", "--rm", "--network", "none", "-v", $"{vol}:/data", "busybox", "stat", "-c", "%h", "/data/big1"));

        await OkAsync("rm", c);
        await OkAsync("rmi", image);
        await OkAsync("volume", "rm", vol);
    }

    public static TheoryData<string> CommitPhases => ["layer-written", "layer-unpacked"];

    /// <summary>
    /// berthd holds the commit at the named point (BERTH_TEST_HOLD_COMMIT, see
    /// ImageServiceOptions.CommitHoldPoint) and says so with a marker file, so the kill comes at
    /// exactly that moment however fast or loaded the machine is.
    /// </summary>
    [Theory]
    [MemberData(nameof(CommitPhases))]
    public async Task Kill_during_commit_leaves_no_image_and_no_unreferenced_content(string phase)
    {
        var precious = await PreciousVolumeAsync();
        var c = Name("big");
        var md5 = await OkAsync("run", "--network", "none", "--name", c, "busybox", "sh", "-c", "head -c 250000000 /dev/urandom > /big && md5sum /big | cut -d' ' -f1");
        _d.ExtraEnvironment["BERTH_TEST_HOLD_COMMIT"] = phase;
        await _d.RestartAsync();
        _d.ExtraEnvironment.Remove("BERTH_TEST_HOLD_COMMIT");

        var images = await OkAsync("images", "-aq", "--no-trunc");
        var blobs = Entries("content", "blobs", "sha256");
        var snapshots = Entries("snapshots");
        var ingest = Path.Combine(_d.DataRoot, "content", "ingest");
        var held = Path.Combine(_d.DataRoot, "commit-held");
        var tag = Name("crashcommit");

        var commit = _d.Http.PostAsync($"/v1.50/commit?container={c}&repo={tag}&tag=v1", null);
        await WaitUntilAsync(() => File.Exists(held) || commit.IsCompleted, $"the commit to reach {phase}", TimeSpan.FromSeconds(300));
        Assert.False(commit.IsCompleted, $"the commit ended before {phase}: {_d.Log}");
        if (phase == "layer-written")
        {
            // The whole layer is in ingest, not yet a blob.
            Assert.Contains(new DirectoryInfo(ingest).EnumerateFiles(), f => f.Length >= 250_000_000);
            Assert.Equal(blobs, Entries("content", "blobs", "sha256"));
        }
        else
        {
            // The layer blob is stored (ingest empty again) and a new snapshot holds it unpacked.
            Assert.Contains(Entries("snapshots").Except(snapshots), s => DirSize(Path.Combine(_d.DataRoot, "snapshots", s)) >= 250_000_000);
            Assert.NotEqual(blobs, Entries("content", "blobs", "sha256"));
        }

        await _d.KillAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => commit.WaitAsync(TimeSpan.FromSeconds(60)));
        File.Delete(held);
        await _d.RestartAsync();

        Assert.Equal(images, await OkAsync("images", "-aq", "--no-trunc"));
        Assert.NotEqual(0, (await _d.DockerAsync("image", "inspect", tag + ":v1")).ExitCode);
        // Nothing new is left behind. (Entries may have gone: removals of earlier containers
        // finish in the background, and start-up collects what nothing references.)
        Assert.Empty(Entries("content", "blobs", "sha256").Except(blobs));
        Assert.Empty(Entries("snapshots").Except(snapshots));
        Assert.Empty(Entries("content", "ingest"));
        await AssertPreciousIntactAsync(precious);

        // The container is unharmed: committing it again gives a whole image.
        await OkAsync("commit", c, tag + ":v1");
        Assert.Equal(md5, await OkAsync("run", "--rm", "--network", "none", tag + ":v1", "sh", "-c", "md5sum /big | cut -d' ' -f1"));
        await OkAsync("rm", c);
        await OkAsync("rmi", tag + ":v1");
        await OkAsync("volume", "rm", precious.Name);
    }

    private List<string> Entries(params string[] path)
    {
        var dir = Path.Combine([_d.DataRoot, .. path]);
        return Directory.Exists(dir) ? [.. Directory.GetFileSystemEntries(dir).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)] : [];
    }

    /// <summary>Files anywhere under <paramref name="dir"/> (0 while it is being renamed away).</summary>
    private static int FilesUnder(string dir)
    {
        try
        {
            return Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Take(20).Count();
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static long DirSize(string dir)
    {
        try
        {
            return new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }).Sum(f => f.Length);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
