using System.Formats.Tar;
using System.Text;
using Berth.Core.Errors;
using Berth.Storage.Layers;

namespace Berth.Fuzz.Targets;

/// <summary>
/// An image layer (a tar an image author controls) applied to a fresh root. Invariants: a
/// refusal is a BerthException (Docker's 400), and nothing appears outside the root, whatever
/// names, links and whiteouts the archive holds.
/// </summary>
public static class LayerTarTarget
{
    public static void Run(byte[] data)
    {
        var dir = Directory.CreateTempSubdirectory("berth-fuzz-layer-");
        var root = Path.Combine(dir.FullName, "root");
        Directory.CreateDirectory(root);
        var outside = Path.Combine(dir.FullName, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "keep"), "keep");
        try
        {
            try
            {
                using var stream = new MemoryStream(data, writable: false);
                _ = LayerApplier.ApplyAsync(stream, root, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (BerthException e) when (e.Kind == ErrorKind.InvalidArgument)
            {
                // refused as hostile or malformed
            }

            var beside = Directory.GetFileSystemEntries(dir.FullName).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            if (!beside.SequenceEqual(["outside", "root"]) || Directory.GetFileSystemEntries(outside).Length != 1 || File.ReadAllText(Path.Combine(outside, "keep")) != "keep")
            {
                throw new InvalidOperationException($"the layer reached outside its root: {string.Join(", ", beside)}");
            }
        }
        finally
        {
            Remove(dir.FullName);
        }
    }

    public static List<byte[]> Seeds() =>
    [
        Tar(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc/"));
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "etc/hostname") { DataStream = new MemoryStream("box\n"u8.ToArray()) });
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "etc/link") { LinkName = "../outside/keep" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "etc/hard") { LinkName = "etc/hostname" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "etc/.wh.gone"));
        }),
        Tar(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "up") { LinkName = "../outside" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "up/evil") { DataStream = new MemoryStream("x"u8.ToArray()) });
        }),
        Tar(w =>
        {
            w.WriteEntry(new GnuTarEntry(TarEntryType.Directory, "a/"));
            w.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "a/" + new string('b', 150)) { DataStream = new MemoryStream(Encoding.ASCII.GetBytes("long name")) });
            w.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "a/.wh..wh..opq"));
        }),
    ];

    private static byte[] Tar(Action<TarWriter> fill)
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, leaveOpen: true))
        {
            fill(w);
        }

        return ms.ToArray();
    }

    /// <summary>Removes a tree that may hold read-only directories and odd modes.</summary>
    private static void Remove(string path)
    {
        foreach (var d in Directory.EnumerateDirectories(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }))
        {
            try
            {
                File.SetUnixFileMode(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        Directory.Delete(path, recursive: true);
    }
}
