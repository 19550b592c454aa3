using System.Net;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Images;

public sealed class CrashDaemon() : DaemonFixture("imgk", loadBusybox: false);

/// <summary>kill -9 of berthd in the middle of a load: after restart nothing half-made is visible.</summary>
public sealed class ImagesCrashTests(CrashDaemon fixture) : IClassFixture<CrashDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    /// <summary>Feeds the first part of an archive, then blocks until cancelled (a client stuck mid-upload).</summary>
    private sealed class StallingContent(byte[] data, int sendBytes, TaskCompletionSource sent) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(data.AsMemory(0, sendBytes), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            sent.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken); // until the test cancels it
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Waits until the daemon's on-disk state shows <paramref name="reached"/>. The load is stalled
    /// by the test, so once reached the state stays: this poll cannot miss its moment.</summary>
    private static async Task WaitForAsync(Func<bool> reached, string what)
    {
        for (var guard = 0; !reached(); guard++)
        {
            Assert.True(guard < 1200, $"the daemon never got to: {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Kill_during_load_then_restart_shows_no_half_made_image_and_no_temp_files()
    {
        // Two layers: the first is stored whole (a blob and an unpacked staging snapshot), the second
        // is cut in the middle by the test, which stops feeding the upload there, and the daemon is
        // killed while it waits for the rest. Nothing references either any more after the restart.
        var dir = Path.Combine(_d.Dir, "big");
        Directory.CreateDirectory(dir);
        await Shell.CheckAsync("sh", "-c", $"cd {dir} && mkdir r1 r2 && head -c 10000000 /dev/urandom > r1/one && head -c 30000000 /dev/urandom > r2/two && " +
            "tar -C r1 -cf layer1.tar . && tar -C r2 -cf layer2.tar . && s1=$(sha256sum layer1.tar | cut -d' ' -f1) && s2=$(sha256sum layer2.tar | cut -d' ' -f1) && " +
            "printf '{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:'$s1'\",\"sha256:'$s2'\"]}}' > config.json && " +
            "printf '[{\"Config\":\"config.json\",\"RepoTags\":[\"big:v1\"],\"Layers\":[\"layer1.tar\",\"layer2.tar\"]}]' > manifest.json && tar -cf ../big.tar layer1.tar layer2.tar config.json manifest.json");
        var archive = await File.ReadAllBytesAsync(Path.Combine(_d.Dir, "big.tar"));
        var ingest = Path.Combine(_d.DataRoot, "content", "ingest");
        var blobs = Path.Combine(_d.DataRoot, "content", "blobs", "sha256");
        var snapshots = Path.Combine(_d.DataRoot, "snapshots");

        // Up to 20 MB into layer2.tar, which starts after layer1.tar (10 MB) and two tar headers.
        var sent = new TaskCompletionSource();
        using var cts = new CancellationTokenSource();
        var upload = _d.Http.PostAsync("/v1.50/images/load", new StallingContent(archive, 20_000_000, sent), cts.Token);
        await sent.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await WaitForAsync(() => Directory.GetFiles(blobs).Length == 1, "layer 1 stored");
        await WaitForAsync(() => Directory.GetFiles(ingest).Any(f => new FileInfo(f).Length > 5_000_000), "layer 2 half written");
        Assert.Equal(2, Directory.GetDirectories(snapshots).Length); // layer 1 unpacked, layer 2 being unpacked

        await _d.KillAsync();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => upload.WaitAsync(TimeSpan.FromSeconds(90)));
        await _d.RestartAsync();

        Assert.Equal(string.Empty, (await _d.DockerAsync("images", "-aq")).Out);
        Assert.Empty(Directory.GetFileSystemEntries(ingest));
        Assert.Empty(Directory.GetFileSystemEntries(blobs));
        Assert.Empty(Directory.GetFileSystemEntries(snapshots));

        // and the same archive loads whole afterwards; rmi then gives back all of its space
        using (var ok = await _d.Http.PostAsync("/v1.50/images/load?quiet=1", new ByteArrayContent(archive)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Contains("Loaded image: big:v1", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, (await _d.DockerAsync("rmi", "big:v1")).ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(blobs));
        Assert.Empty(Directory.GetFileSystemEntries(snapshots));
    }
}
