using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Berth.Core.Errors;
using Berth.Core.References;
using Berth.Images.Formats;
using Berth.Images.Store;

namespace Berth.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// Resolves the names of GET /images/get before anything is written (so a missing one is a 404):
    /// a tagged name saves that tag, a bare repository all its tags, an ID the image without names.
    /// </summary>
    public IReadOnlyList<(ImageEntry Image, IReadOnlyList<string> Refs)> ResolveForSave(IReadOnlyList<string> names)
    {
        var order = new List<string>();
        var byId = new Dictionary<string, (ImageEntry Image, List<string> Refs)>(StringComparer.Ordinal);
        void Add(ImageEntry e, string? reference)
        {
            if (!byId.TryGetValue(e.Id, out var item))
            {
                item = (e, []);
                byId[e.Id] = item;
                order.Add(e.Id);
            }

            if (reference is not null && !item.Refs.Contains(reference))
            {
                item.Refs.Add(reference);
            }
        }

        foreach (var name in names)
        {
            if (ImageReference.TryParse(name, out var r, out _) && !IsIdPrefix(TryFind(name)?.Id ?? string.Empty, name))
            {
                if (r.Tag is null && r.Digest is null)
                {
                    var repoRefs = _store.AllRefs().Where(kv => kv.Key.StartsWith(r.Name + ":", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
                    if (repoRefs.Count > 0)
                    {
                        foreach (var (refName, id) in repoRefs)
                        {
                            Add(_store.Get(id)!, refName);
                        }

                        continue;
                    }
                }

                var e = Find(name);
                Add(e, r.Digest is null ? r.WithDefaultTag().ToString() : null);
                continue;
            }

            Add(Find(name), null);
        }

        return order.Select(id => (byId[id].Image, (IReadOnlyList<string>)byId[id].Refs)).ToList();
    }

    /// <summary>
    /// Writes a docker-archive that is also an OCI image layout, as Docker 25+ does: blobs/sha256/*
    /// (configs, layers as stored, generated manifests), index.json, manifest.json and oci-layout.
    /// Layers are streamed from the content store; nothing is re-tarred.
    /// </summary>
    public async Task SaveAsync(IReadOnlyList<(ImageEntry Image, IReadOnlyList<string> Refs)> images, Stream output, CancellationToken cancellationToken)
    {
        var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            var mtime = DateTimeOffset.UnixEpoch;
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "blobs/") { Mode = (UnixFileMode)0x1ED, ModificationTime = mtime }, cancellationToken).ConfigureAwait(false);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "blobs/sha256/") { Mode = (UnixFileMode)0x1ED, ModificationTime = mtime }, cancellationToken).ConfigureAwait(false);

            var index = new List<(string Digest, long Size, string? Ref)>();
            var manifestJson = new List<(string Config, IReadOnlyList<string> Tags, IReadOnlyList<string> Layers)>();
            foreach (var (image, refs) in images)
            {
                await WriteBlobAsync(writer, Digest.Parse(image.Id), written, mtime, cancellationToken).ConfigureAwait(false);
                foreach (var l in image.Layers)
                {
                    await WriteBlobAsync(writer, Digest.Parse(l.Digest), written, mtime, cancellationToken).ConfigureAwait(false);
                }

                var manifest = BuildManifest(image);
                var manifestDigest = Digest.Compute(manifest);
                if (written.Add(manifestDigest.ToString()))
                {
                    var e = new PaxTarEntry(TarEntryType.RegularFile, "blobs/sha256/" + manifestDigest.Hex) { Mode = (UnixFileMode)0x1A4, ModificationTime = mtime, DataStream = new MemoryStream(manifest) };
                    await writer.WriteEntryAsync(e, cancellationToken).ConfigureAwait(false);
                }

                if (refs.Count == 0)
                {
                    index.Add((manifestDigest.ToString(), manifest.Length, null));
                }

                foreach (var r in refs)
                {
                    index.Add((manifestDigest.ToString(), manifest.Length, r));
                }

                manifestJson.Add(("blobs/sha256/" + image.Id[7..], refs.Select(r => ImageReference.Parse(r).FamiliarString).ToList(), image.Layers.Select(l => "blobs/sha256/" + l.Digest[7..]).ToList()));
            }

            await WriteSmallAsync(writer, "index.json", BuildIndex(index), mtime, cancellationToken).ConfigureAwait(false);
            await WriteSmallAsync(writer, "manifest.json", BuildArchiveManifest(manifestJson), mtime, cancellationToken).ConfigureAwait(false);
            await WriteSmallAsync(writer, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray(), mtime, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (image, _) in images)
        {
            Publish("save", image.Id, image.Id, image);
        }
    }

    private async Task WriteBlobAsync(TarWriter writer, Digest digest, HashSet<string> written, DateTimeOffset mtime, CancellationToken ct)
    {
        if (!written.Add(digest.ToString()))
        {
            return;
        }

        var f = _content.OpenRead(digest);
        await using (f.ConfigureAwait(false))
        {
            var e = new PaxTarEntry(TarEntryType.RegularFile, "blobs/sha256/" + digest.Hex) { Mode = (UnixFileMode)0x1A4, ModificationTime = mtime, DataStream = f };
            await writer.WriteEntryAsync(e, ct).ConfigureAwait(false);
        }
    }

    private static async Task WriteSmallAsync(TarWriter writer, string name, byte[] data, DateTimeOffset mtime, CancellationToken ct)
    {
        var e = new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0x1A4, ModificationTime = mtime, DataStream = new MemoryStream(data) };
        await writer.WriteEntryAsync(e, ct).ConfigureAwait(false);
    }

    /// <summary>An OCI manifest for a stored image (deterministic bytes: same image, same digest).</summary>
    public static byte[] BuildManifest(ImageEntry image)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", MediaTypes.OciManifest);
            w.WriteStartObject("config");
            w.WriteString("mediaType", MediaTypes.OciConfig);
            w.WriteString("digest", image.Id);
            w.WriteNumber("size", image.ConfigSize);
            w.WriteEndObject();
            w.WriteStartArray("layers");
            foreach (var l in image.Layers)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", l.MediaType);
                w.WriteString("digest", l.Digest);
                w.WriteNumber("size", l.Size);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    private static byte[] BuildIndex(List<(string Digest, long Size, string? Ref)> manifests)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", MediaTypes.OciIndex);
            w.WriteStartArray("manifests");
            foreach (var (digest, size, r) in manifests)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", MediaTypes.OciManifest);
                w.WriteString("digest", digest);
                w.WriteNumber("size", size);
                if (r is not null)
                {
                    var parsed = ImageReference.Parse(r);
                    w.WriteStartObject("annotations");
                    w.WriteString("io.containerd.image.name", parsed.ToString());
                    if (parsed.Tag is { } tag)
                    {
                        w.WriteString("org.opencontainers.image.ref.name", tag);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    private static byte[] BuildArchiveManifest(List<(string Config, IReadOnlyList<string> Tags, IReadOnlyList<string> Layers)> entries)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartArray();
            foreach (var (config, tags, layers) in entries)
            {
                w.WriteStartObject();
                w.WriteString("Config", config);
                w.WriteStartArray("RepoTags");
                foreach (var t in tags)
                {
                    w.WriteStringValue(t);
                }

                w.WriteEndArray();
                w.WriteStartArray("Layers");
                foreach (var l in layers)
                {
                    w.WriteStringValue(l);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return ms.ToArray();
    }

    internal static string Utf8(byte[] b) => Encoding.UTF8.GetString(b);
}
