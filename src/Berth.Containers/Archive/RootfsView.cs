using Berth.Core.Model;
using Berth.Platform.Files;
using Berth.Platform.Mounts;
using Berth.Platform.Native;

namespace Berth.Containers.Archive;

/// <summary>
/// A view of a container's root filesystem (image layers plus its writable layer) mounted at
/// &lt;container dir&gt;/view-&lt;random&gt;, for export and for cp on a container that is not running.
/// The read-only view is an overlay of lower dirs only; the writable one is the container's own
/// overlay (upper and work dirs: only while the container cannot start) with the container's
/// volumes and binds mounted at their destinations, as dockerd does for archive operations. A
/// view is unmounted (with everything under it) and removed on dispose; views left by a killed
/// daemon are collected with <see cref="ReleaseStale"/> before anything else touches the directory.
/// </summary>
public sealed class RootfsView : IDisposable
{
    private const string Prefix = "view-";
    private readonly string? _mountPoint;

    private RootfsView(string root, string? mountPoint)
    {
        Root = root;
        _mountPoint = mountPoint;
    }

    /// <summary>Host path of the view's root; resolve container paths under it with RootDirectory only.</summary>
    public string Root { get; }

    /// <summary>Writable: the container's own overlay (upper + work dirs); only while the container is not running.</summary>
    public static RootfsView Open(RootfsMount rootfs, string scratchDir, bool writable = false)
    {
        ArgumentNullException.ThrowIfNull(rootfs);
        if (rootfs.LowerDirs.Count == 0)
        {
            return new RootfsView(rootfs.UpperDir, null);
        }

        var target = NewTarget(scratchDir);
        try
        {
            if (writable)
            {
                Mounter.Mount("overlay", target, "overlay", 0, rootfs.OverlayOptions);
            }
            else
            {
                Mounter.Mount("overlay", target, "overlay", Libc.MS_RDONLY, "lowerdir=" + string.Join(':', new[] { rootfs.UpperDir }.Concat(rootfs.LowerDirs)));
            }
        }
        catch
        {
            Directory.Delete(target);
            throw;
        }

        return new RootfsView(target, target);
    }

    /// <summary>
    /// For reads (GET, HEAD): a read-only overlay of the container's layers with <paramref name="mounts"/>
    /// bound at their destinations; null when a mount point is missing from the image (only the
    /// writable view can make it, see <see cref="OpenWithMounts"/>). The read-only view is much
    /// cheaper to take down: unmounting the writable overlay syncs its upper layer.
    /// </summary>
    public static RootfsView? TryOpenReadOnlyWithMounts(RootfsMount rootfs, string scratchDir, IReadOnlyList<(string Source, string Destination, bool ReadOnly)> mounts)
    {
        ArgumentNullException.ThrowIfNull(rootfs);
        ArgumentNullException.ThrowIfNull(mounts);
        if (rootfs.LowerDirs.Count == 0)
        {
            return null;
        }

        var target = NewTarget(scratchDir);
        var view = new RootfsView(target, target);
        try
        {
            Mounter.Mount("overlay", target, "overlay", Libc.MS_RDONLY, "lowerdir=" + string.Join(':', new[] { rootfs.UpperDir }.Concat(rootfs.LowerDirs)));
            DescriptorMounts.MakePrivate(target);
            using var root = RootDirectory.Open(target);
            foreach (var (source, destination, _) in mounts.OrderBy(m => m.Destination.Split('/', StringSplitOptions.RemoveEmptyEntries).Length))
            {
                using var point = root.TryOpen(destination, Libc.O_PATH);
                if (point is null)
                {
                    view.Dispose();
                    return null;
                }

                DescriptorMounts.BindOnto(source, point);
            }
        }
        catch
        {
            view.Dispose();
            throw;
        }

        return view;
    }

    /// <summary>
    /// The container's writable root with <paramref name="mounts"/> (host source, destination in
    /// the container, read-only) mounted on it, parents before children. Each mount point is
    /// found, or made, inside the view's root by descriptor, as runc would at start.
    /// </summary>
    public static RootfsView OpenWithMounts(RootfsMount rootfs, string scratchDir, IReadOnlyList<(string Source, string Destination, bool ReadOnly)> mounts)
    {
        ArgumentNullException.ThrowIfNull(rootfs);
        ArgumentNullException.ThrowIfNull(mounts);
        var target = NewTarget(scratchDir);
        var view = new RootfsView(target, target);
        try
        {
            Mounter.MountOverlay(rootfs.LowerDirs, rootfs.UpperDir, rootfs.WorkDir, target);
            DescriptorMounts.MakePrivate(target);
            using var root = RootDirectory.Open(target);
            foreach (var (source, destination, readOnly) in mounts.OrderBy(m => m.Destination.Split('/', StringSplitOptions.RemoveEmptyEntries).Length))
            {
                using var point = MountPoint(root, source, destination);
                DescriptorMounts.BindOnto(source, point);
                if (readOnly)
                {
                    // The new mount's root: the same path, looked up again, now crosses into it.
                    using var mounted = root.Open(destination, Libc.O_PATH);
                    DescriptorMounts.RemountReadOnly(mounted);
                }
            }
        }
        catch
        {
            view.Dispose();
            throw;
        }

        return view;
    }

    /// <summary>Unmounts and removes the views a killed daemon left in <paramref name="scratchDir"/>; returns how many.</summary>
    public static int ReleaseStale(string scratchDir)
    {
        if (!Directory.Exists(scratchDir))
        {
            return 0;
        }

        var released = 0;
        foreach (var dir in Directory.EnumerateDirectories(scratchDir, Prefix + "*"))
        {
            new RootfsView(dir, dir).Dispose();
            released++;
        }

        return released;
    }

    public void Dispose()
    {
        if (_mountPoint is null)
        {
            return;
        }

        DescriptorMounts.DetachTree(_mountPoint);
        try
        {
            // Not recursive: a directory that is still a mount point (EBUSY) is left, never walked into.
            Directory.Delete(_mountPoint);
        }
        catch (IOException)
        {
        }
    }

    private static string NewTarget(string scratchDir)
    {
        var target = Path.Combine(scratchDir, Prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(target);
        return target;
    }

    /// <summary>The mount point of a bind inside the view: a directory, or an empty file when the source is a file.</summary>
    private static Microsoft.Win32.SafeHandles.SafeFileHandle MountPoint(RootDirectory root, string source, string destination)
    {
        var (status, _) = PosixFiles.TryStat(source);
        if (status is not { IsDirectory: false })
        {
            return root.MakeDirectories(destination, 0x1ED);
        }

        if (root.TryOpen(destination, Libc.O_PATH) is { } existing)
        {
            return existing;
        }

        var trimmed = destination.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        using (var parent = root.MakeDirectories(slash <= 0 ? "/" : trimmed[..slash], 0x1ED))
        using (PosixFiles.OpenAt(parent, trimmed[(slash + 1)..], Libc.O_WRONLY | Libc.O_CREAT | 0x80, 0x1A4))
        {
        }

        return root.Open(destination, Libc.O_PATH);
    }
}
