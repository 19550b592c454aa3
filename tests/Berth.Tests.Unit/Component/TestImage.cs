using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace Berth.Tests.Unit.Component;

/// <summary>A one-layer image as a docker-archive (what `docker save` writes), made in memory.</summary>
public static class TestImage
{
    /// <summary>The archive; <paramref name="tag"/> null makes an untagged image.</summary>
    public static byte[] Archive(string? tag) => Archive(tag, out _);

    /// <summary>The archive and its layer's bytes; a <paramref name="salt"/> makes a layer of its own (else every archive has the same one).</summary>
    public static byte[] Archive(string? tag, out byte[] layer, string? salt = null)
    {
        layer = Tar(w =>
        {
            AddDirectory(w, "bin/");
            AddFile(w, "bin/sh", "#!fake shell: the fake runtime plays the programs\n");
            AddFile(w, "hello.txt", "hello\n");
            if (salt is not null)
            {
                AddFile(w, "salt.txt", salt);
            }
        });
        var diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(layer));
        var config = Encoding.UTF8.GetBytes(
            "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2025-01-01T00:00:00Z\"," +
            "\"config\":{\"Cmd\":[\"sh\"],\"Env\":[\"PATH=/bin\"],\"Labels\":{\"test\":\"component\"}}," +
            "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}," +
            "\"history\":[{\"created\":\"2025-01-01T00:00:00Z\",\"created_by\":\"test\"}]}");
        var configName = Convert.ToHexStringLower(SHA256.HashData(config)) + ".json";
        var tags = tag is null ? "null" : $"[\"{tag}\"]";
        var manifest = $"[{{\"Config\":\"{configName}\",\"RepoTags\":{tags},\"Layers\":[\"layer/layer.tar\"]}}]";
        var layerBytes = layer;
        return Tar(w =>
        {
            AddFile(w, configName, config);
            AddDirectory(w, "layer/");
            AddFile(w, "layer/layer.tar", layerBytes);
            AddFile(w, "manifest.json", Encoding.UTF8.GetBytes(manifest));
        });
    }

    private static byte[] Tar(Action<TarWriter> fill)
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            fill(w);
        }

        return ms.ToArray();
    }

    private static void AddDirectory(TarWriter w, string name) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute });

    private static void AddFile(TarWriter w, string name, string text) => AddFile(w, name, Encoding.UTF8.GetBytes(text));

    private static void AddFile(TarWriter w, string name, byte[] data) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data), Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead });
}
