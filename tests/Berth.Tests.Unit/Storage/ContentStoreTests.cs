using Berth.Core.Errors;
using Berth.Core.References;
using Berth.Storage.Content;

namespace Berth.Tests.Unit.Storage;

public sealed class ContentStoreTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task A_written_blob_is_stored_under_its_digest_and_readable()
    {
        var store = new ContentStore(_dir.Path);
        var data = "hello blob"u8.ToArray();
        var d = await store.WriteAsync(data, CancellationToken.None);
        Assert.Equal(Digest.Compute(data), d);
        Assert.Equal(Path.Combine(_dir.Path, "blobs", "sha256", d.Hex), store.BlobPath(d));
        Assert.Equal(data, store.ReadAll(d));
        Assert.Equal(data.Length, store.SizeOf(d));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "ingest")));
    }

    [Fact]
    public async Task A_digest_mismatch_leaves_nothing_behind()
    {
        var store = new ContentStore(_dir.Path);
        var wrong = Digest.Compute("other"u8);
        var e = await Assert.ThrowsAsync<BerthException>(() => store.WriteAsync(new MemoryStream("payload"u8.ToArray()), wrong, null, CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("failed to verify", e.Message, StringComparison.Ordinal);
        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "ingest")));
    }

    [Fact]
    public async Task A_size_mismatch_is_refused()
    {
        var store = new ContentStore(_dir.Path);
        var data = "payload"u8.ToArray();
        await Assert.ThrowsAsync<BerthException>(() => store.WriteAsync(new MemoryStream(data), Digest.Compute(data), 3, CancellationToken.None));
        Assert.Empty(store.List());
    }

    [Fact]
    public async Task An_abandoned_writer_is_invisible_and_its_temp_file_is_deleted()
    {
        var store = new ContentStore(_dir.Path);
        await using (var w = store.BeginWrite())
        {
            await w.WriteAsync("partial"u8.ToArray());
            Assert.Single(Directory.GetFiles(Path.Combine(_dir.Path, "ingest")));
        }

        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "ingest")));
    }

    [Fact]
    public void CleanIngest_removes_what_a_crash_left()
    {
        var store = new ContentStore(_dir.Path);
        File.WriteAllText(Path.Combine(_dir.Path, "ingest", "x.tmp"), "junk");
        Assert.Equal(1, store.CleanIngest());
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "ingest")));
    }

    [Fact]
    public async Task Writing_the_same_content_twice_keeps_one_blob()
    {
        var store = new ContentStore(_dir.Path);
        var a = await store.WriteAsync("same"u8.ToArray(), CancellationToken.None);
        var b = await store.WriteAsync("same"u8.ToArray(), CancellationToken.None);
        Assert.Equal(a, b);
        Assert.Single(store.List());
    }

    public void Dispose() => _dir.Dispose();
}
