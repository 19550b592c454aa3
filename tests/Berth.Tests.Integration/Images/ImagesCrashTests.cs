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
            await Task.Delay(TimeSpan.FromSeconds(60), cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task Kill_during_load_then_restart_shows_no_half_made_image_and_no_temp_files()
    {
        // An archive with a big layer first, so the kill lands while a blob is being written.
        var dir = Path.Combine(_d.Dir, "big");
        Directory.CreateDirectory(dir);
        await Shell.CheckAsync("sh", "-c", $"cd {dir} && mkdir root && head -c 30000000 /dev/urandom > root/data && tar -C root -cf layer.tar . && sha=$(sha256sum layer.tar | cut -d' ' -f1) && " +
            "printf '{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:'$sha'\"]}}' > config.json && " +
            "printf '[{\"Config\":\"config.json\",\"RepoTags\":[\"big:v1\"],\"Layers\":[\"layer.tar\"]}]' > manifest.json && tar -cf ../big.tar layer.tar config.json manifest.json");
        var archive = await File.ReadAllBytesAsync(Path.Combine(_d.Dir, "big.tar"));
        var sent = new TaskCompletionSource();
        using var cts = new CancellationTokenSource();
        var upload = _d.Http.PostAsync("/v1.50/images/load", new StallingContent(archive, archive.Length / 2, sent), cts.Token);
        await sent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // Half the archive is sent: the daemon writes part of the layer into ingest.
        await Until.TrueAsync(() => Directory.Exists(Path.Combine(_d.DataRoot, "content", "ingest")) && Directory.GetFileSystemEntries(Path.Combine(_d.DataRoot, "content", "ingest")).Length > 0, "part of the layer in ingest");

        await _d.KillAsync();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => upload.WaitAsync(TimeSpan.FromSeconds(90)));
        await _d.RestartAsync();

        Assert.Equal(string.Empty, (await _d.DockerAsync("images", "-aq")).Out);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_d.DataRoot, "content", "ingest")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_d.DataRoot, "content", "blobs", "sha256")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_d.DataRoot, "snapshots")));

        // and the same archive loads whole afterwards
        using var ok = await _d.Http.PostAsync("/v1.50/images/load?quiet=1", new ByteArrayContent(archive));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("Loaded image: big:v1", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
