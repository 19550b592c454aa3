using System.Formats.Tar;
using System.Text;
using Berth.Core.Errors;
using Berth.Core.Events;
using Berth.Core.References;
using Berth.Images;
using Berth.Storage.Metadata;
using Berth.Tests.Unit.Storage;

namespace Berth.Tests.Unit.Images;

/// <summary>The image service on a scratch data root: load, save, rmi, recovery.</summary>
public sealed class ImageServiceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly EngineDatabase _db;

    public ImageServiceTests()
    {
        _db = new EngineDatabase(_dir.Path);
    }

    private async Task<ImageService> StartAsync()
    {
        var s = new ImageService(new ImageServiceOptions(_dir.Path), _db, new EventBus(TimeProvider.System), TimeProvider.System, () => null);
        await s.StartAsync(CancellationToken.None);
        return s;
    }

    /// <summary>A docker-archive with one image of the given layer tars.</summary>
    private static byte[] Archive(string tag, params byte[][] layers)
    {
        var diffIds = layers.Select(l => Digest.Compute(l).ToString()).ToList();
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Cmd\":[\"sh\"]}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[{string.Join(',', diffIds.Select(d => $"\"{d}\""))}]}}}}");
        var configDigest = Digest.Compute(config);
        var manifest = $"[{{\"Config\":\"blobs/sha256/{configDigest.Hex}\",\"RepoTags\":[\"{tag}\"],\"Layers\":[{string.Join(',', layers.Select(l => $"\"blobs/sha256/{Digest.Compute(l).Hex}\""))}]}}]";
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            void Add(string name, byte[] data) => w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            Add("blobs/sha256/" + configDigest.Hex, config);
            foreach (var l in layers)
            {
                Add("blobs/sha256/" + Digest.Compute(l).Hex, l);
            }

            Add("manifest.json", Encoding.UTF8.GetBytes(manifest));
        }

        return ms.ToArray();
    }

    [Fact]
    public async Task Load_save_and_load_again_keep_the_image_id()
    {
        using var svc = await StartAsync();
        var archive = Archive("app:v1", new TarBuilder().File("a", "1").Build(), new TarBuilder().File("b", "2").File(".wh.a", string.Empty).Build());
        var lines = await svc.LoadAsync(new UnseekableStream(new MemoryStream(archive)), CancellationToken.None);
        Assert.Equal(["Loaded image: app:v1"], lines);
        var record = await svc.ResolveAsync("app:v1", CancellationToken.None);
        Assert.Equal(2, record.DiffIds.Count);

        using var saved = new MemoryStream();
        await svc.SaveAsync(svc.ResolveForSave(["app:v1"]), saved, CancellationToken.None);
        var items = await svc.RemoveAsync("app:v1", force: false, prune: true, CancellationToken.None);
        Assert.Contains(items, i => i.Deleted == record.Id);
        Assert.Empty(svc.Snapshots.List());
        Assert.Empty(svc.Content.List());

        saved.Position = 0;
        Assert.Equal(["Loaded image: app:v1"], await svc.LoadAsync(new UnseekableStream(saved), CancellationToken.None));
        Assert.Equal(record.Id, (await svc.ResolveAsync("docker.io/library/app:v1", CancellationToken.None)).Id);
        var mount = await svc.PrepareRootfsAsync("c1", record, CancellationToken.None);
        Assert.Equal(2, mount.LowerDirs.Count);
        Assert.True(File.Exists(Path.Combine(mount.LowerDirs[1], "a")));
    }

    [Fact]
    public async Task A_hostile_layer_fails_the_load_with_400_and_leaves_nothing()
    {
        using var svc = await StartAsync();
        var archive = Archive("evil:v1", new TarBuilder().File("ok", "fine").Build(), new TarBuilder().Symlink("esc", "/etc").File("esc/pwned", "x").Build());

        var e = await Assert.ThrowsAsync<BerthException>(() => svc.LoadAsync(new UnseekableStream(new MemoryStream(archive)), CancellationToken.None));

        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Empty(svc.List(new ImageListOptions { All = true }));
        Assert.Empty(svc.Snapshots.List());
        Assert.Empty(svc.Content.List());
        Assert.False(File.Exists("/etc/pwned"));
    }

    [Fact]
    public async Task A_layer_not_matching_its_diff_id_is_refused()
    {
        using var svc = await StartAsync();
        var layer = new TarBuilder().File("a", "1").Build();
        var archive = Archive("bad:v1", layer);
        var tampered = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(archive).Replace(Digest.Compute(layer).Hex, new string('0', 64), StringComparison.Ordinal));

        await Assert.ThrowsAsync<BerthException>(() => svc.LoadAsync(new MemoryStream(tampered), CancellationToken.None));
        Assert.Empty(svc.Snapshots.List());
    }

    [Fact]
    public async Task Start_collects_what_a_crash_left_behind()
    {
        using (var first = await StartAsync())
        {
            await first.LoadAsync(new MemoryStream(Archive("keep:v1", new TarBuilder().File("a", "1").Build())), CancellationToken.None);
        }

        // Leftovers of a killed load: a temp blob, a staging snapshot row and dir, an orphan dir, an unreferenced blob.
        File.WriteAllText(Path.Combine(_dir.Path, "content", "ingest", "dead.tmp"), "partial");
        var snaps = new Berth.Storage.Snapshots.Snapshotter(_db, Path.Combine(_dir.Path, "snapshots"), TimeProvider.System);
        var staging = snaps.CreateStaging();
        Directory.CreateDirectory(Path.Combine(_dir.Path, "snapshots", "999", "fs"));
        var orphan = Digest.Compute("orphan"u8);
        File.WriteAllText(Path.Combine(_dir.Path, "content", "blobs", "sha256", orphan.Hex), "orphan");

        using var svc = await StartAsync();

        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "content", "ingest")));
        Assert.False(Directory.Exists(staging.Dir));
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "snapshots", "999")));
        Assert.False(svc.Content.Exists(orphan));
        Assert.Single(svc.List(new ImageListOptions()));
        Assert.Single(svc.Snapshots.List());
    }

    [Fact]
    public async Task Tagging_listing_and_untagging_follow_docker()
    {
        using var svc = await StartAsync();
        await svc.LoadAsync(new MemoryStream(Archive("base:v1", new TarBuilder().File("a", "1").Build())), CancellationToken.None);
        await svc.TagAsync("base:v1", "other/repo", "t", CancellationToken.None);
        await Assert.ThrowsAsync<BerthException>(() => svc.TagAsync("base:v1", "Other", null, CancellationToken.None));
        var list = svc.List(new ImageListOptions { Filters = Berth.Core.Filters.FilterSet.Parse("{\"reference\":[\"other/*\"]}") });
        Assert.Equal(["other/repo:t"], list.Single().Record.RepoTags);
        var id = list.Single().Record.Id;
        var conflict = await Assert.ThrowsAsync<BerthException>(() => svc.RemoveAsync(id[7..19], false, true, CancellationToken.None));
        Assert.Equal($"conflict: unable to delete {id[7..19]} (must be forced) - image is referenced in multiple repositories", conflict.Message);
        var untag = await svc.RemoveAsync("other/repo:t", false, true, CancellationToken.None);
        Assert.Equal([new DeleteResponseItem("other/repo:t", null)], untag);
    }

    public void Dispose()
    {
        _db.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
