using Berth.Platform.Native;
using Microsoft.Win32.SafeHandles;

namespace Berth.Platform.Mounts;

/// <summary>
/// Mounts whose target is a descriptor, not a path: the mount goes through /proc/self/fd/N, which
/// names the very directory or file the descriptor pins (found with openat2 inside a root), so a
/// symlink in a container's tree cannot move it elsewhere.
/// </summary>
public static class DescriptorMounts
{
    /// <summary>Recursive bind mount of the host path <paramref name="source"/> onto what <paramref name="target"/> refers to.</summary>
    public static void BindOnto(string source, SafeFileHandle target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Mounter.Mount(source, FdPath(target), null, Libc.MS_BIND | Libc.MS_REC, null);
    }

    /// <summary>
    /// Bind mount (not recursive, as dockerd's safe paths) of what <paramref name="source"/> refers
    /// to onto the host path <paramref name="target"/>: the kernel mounts the pinned directory or
    /// file itself, whatever its path has become since it was opened.
    /// </summary>
    public static void BindFrom(SafeFileHandle source, string target)
    {
        ArgumentNullException.ThrowIfNull(source);
        Mounter.Mount(FdPath(source), target, null, Libc.MS_BIND, null);
    }

    /// <summary>The /proc/self/fd path that names what <paramref name="fd"/> refers to, for a mount source in this process while it stays open.</summary>
    public static string SourcePathOf(SafeFileHandle fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        return FdPath(fd);
    }

    /// <summary>Makes the bind mount whose root <paramref name="mountRoot"/> refers to read-only (a bind mount takes MS_RDONLY only on remount).</summary>
    public static void RemountReadOnly(SafeFileHandle mountRoot)
    {
        ArgumentNullException.ThrowIfNull(mountRoot);
        Mounter.Mount(null, FdPath(mountRoot), null, Libc.MS_REMOUNT | Libc.MS_BIND | Libc.MS_RDONLY, null);
    }

    /// <summary>Makes the mount at <paramref name="target"/> and those under it private: what is mounted inside never propagates to other namespaces.</summary>
    public static void MakePrivate(string target) => Mounter.Mount(null, target, null, Libc.MS_PRIVATE | Libc.MS_REC, null);

    /// <summary>Detaches the mount at <paramref name="target"/> with everything mounted under it; not mounted or gone is not an error.</summary>
    public static void DetachTree(string target)
    {
        if (Libc.umount2(target, Libc.MNT_DETACH) != 0 && Libc.LastErrno is not (Libc.EINVAL or Libc.ENOENT))
        {
            throw ErrnoException.Last($"umount {target}");
        }
    }

    private static string FdPath(SafeFileHandle fd) => "/proc/self/fd/" + fd.DangerousGetHandle();
}
