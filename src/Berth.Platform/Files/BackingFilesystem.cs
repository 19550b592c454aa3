using System.Runtime.InteropServices;

namespace Berth.Platform.Files;

/// <summary>
/// What the overlay driver reports about the file system under the data root (docker info's
/// "Backing Filesystem" and "Supports d_type"), found the way dockerd finds it: the statfs magic
/// number, and the type a directory listing gives for a file created to test it.
/// </summary>
public static partial class BackingFilesystem
{
    private const byte DT_UNKNOWN = 0;

    // dockerd's names for the file systems it knows (graphdriver.FsNames), keyed by statfs f_type.
    private static readonly Dictionary<long, string> Names = new()
    {
        [0x61756673] = "aufs",
        [0x9123683E] = "btrfs",
        [0x28cd3d45] = "cramfs",
        [0xf15f] = "ecryptfs",
        [0xEF53] = "extfs",
        [0xF2F52010] = "f2fs",
        [0x47504653] = "gpfs",
        [0x72b6] = "jffs2",
        [0x3153464a] = "jfs",
        [0x6969] = "nfs",
        [0x858458f6] = "ramfs",
        [0x52654973] = "reiserfs",
        [0x517B] = "smb",
        [0x73717368] = "squashfs",
        [0x01021994] = "tmpfs",
        [0xa501fcf5] = "vxfs",
        [0x58465342] = "xfs",
        [0x2fc12fc1] = "zfs",
        [0x794C7630] = "overlayfs",
        [0x65735546] = "fuse",
    };

    /// <summary>dockerd's name of the file system holding <paramref name="path"/>, "&lt;unknown&gt;" for others.</summary>
    public static unsafe string Name(string path)
    {
        // struct statfs is 120 bytes on 64-bit Linux; f_type (a long) comes first.
        var buf = stackalloc byte[256];
        if (statfs(path, buf) != 0)
        {
            throw new IOException($"statfs {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        var magic = *(long*)buf & 0xFFFFFFFF;
        return Names.TryGetValue(magic, out var name) ? name : "<unknown>";
    }

    /// <summary>
    /// True when directory listings under <paramref name="dir"/> carry each entry's type (d_type),
    /// which overlayfs needs: a file is created in a fresh directory there and listed.
    /// </summary>
    public static unsafe bool SupportsDType(string dir)
    {
        var probe = Path.Combine(dir, "d_type-check-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(probe);
        try
        {
            File.WriteAllBytes(Path.Combine(probe, "probe"), []);
            var d = opendir(probe);
            if (d == 0)
            {
                throw new IOException($"opendir {probe}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }

            try
            {
                // struct dirent on 64-bit glibc: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
                for (var e = readdir(d); e != 0; e = readdir(d))
                {
                    var name = Marshal.PtrToStringUTF8(e + 19);
                    if (name == "probe")
                    {
                        return *(byte*)(e + 18) != DT_UNKNOWN;
                    }
                }

                return false;
            }
            finally
            {
                _ = closedir(d);
            }
        }
        finally
        {
            Directory.Delete(probe, recursive: true);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statfs(string path, byte* buf);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint opendir(string name);

    [LibraryImport("libc")]
    private static partial nint readdir(nint dir);

    [LibraryImport("libc")]
    private static partial int closedir(nint dir);
}
