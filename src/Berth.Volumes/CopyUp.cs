using Berth.Platform.Files;

namespace Berth.Volumes;

/// <summary>
/// Docker's volume "copy-up": the content of the image at the mount point is copied into an empty
/// volume the first time it is mounted, preserving ownership, modes, symlinks (not followed),
/// hard links inside the tree, device nodes, xattrs and times.
/// </summary>
public static class CopyUp
{
    /// <summary>Copies the tree under <paramref name="source"/> into <paramref name="target"/> (both host paths; source is never followed through symlinks).</summary>
    public static void CopyTree(string source, string target)
    {
        var links = new Dictionary<(ulong, ulong), string>();
        CopyDirectoryContents(source, target, links);
        var st = PosixFiles.Lstat(source);
        ApplyMetadata(source, target, st);
    }

    /// <summary>Gives <paramref name="target"/> the ownership, mode, xattrs and times of the directory <paramref name="source"/>.</summary>
    public static void CopyRootMetadata(string source, string target) => ApplyMetadata(source, target, PosixFiles.Lstat(source));

    private static void CopyDirectoryContents(string source, string target, Dictionary<(ulong, ulong), string> links)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(source))
        {
            var name = Path.GetFileName(entry);
            var dst = Path.Combine(target, name);
            var st = PosixFiles.Lstat(entry);
            if (st.Nlink > 1 && !st.IsDirectory && links.TryGetValue((st.Device, st.Inode), out var first))
            {
                PosixFiles.Link(first, dst);
                continue;
            }

            if (st.IsDirectory)
            {
                Directory.CreateDirectory(dst);
                CopyDirectoryContents(entry, dst, links);
            }
            else if (st.IsSymlink)
            {
                File.CreateSymbolicLink(dst, new FileInfo(entry).LinkTarget ?? string.Empty);
            }
            else if (st.IsRegular)
            {
                File.Copy(entry, dst, overwrite: false);
            }
            else
            {
                PosixFiles.Mknod(dst, st.Mode, st.RdevMajor, st.RdevMinor);
            }

            if (st.Nlink > 1 && !st.IsDirectory)
            {
                links[(st.Device, st.Inode)] = dst;
            }

            ApplyMetadata(entry, dst, st);
        }
    }

    private static void ApplyMetadata(string source, string target, FileStatus st)
    {
        PosixFiles.Lchown(target, st.Uid, st.Gid);
        foreach (var name in PosixFiles.ListXattrs(source))
        {
            if (PosixFiles.GetXattr(source, name) is { } value)
            {
                try
                {
                    PosixFiles.SetXattr(target, name, value);
                }
                catch (IOException)
                {
                    // Some namespaces (trusted.overlay.*, security.*) may be refused by the volume's file system.
                }
            }
        }

        if (!st.IsSymlink)
        {
            // After chown: chown clears setuid/setgid bits.
            PosixFiles.Chmod(target, st.Mode);
        }

        PosixFiles.SetTimesNoFollow(target, st.Mtime, st.Mtime);
    }
}
