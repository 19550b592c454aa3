using Berth.Core.Model;
using Berth.Platform.Mounts;
using Berth.Platform.Native;

namespace Berth.Containers.Archive;

/// <summary>
/// A read-only view of a container's root filesystem (image layers plus its writable layer), for
/// export and commit-free reads. An overlay of lower dirs only is read-only by construction; the
/// view is unmounted and removed on dispose.
/// </summary>
public sealed class RootfsView : IDisposable
{
    private readonly string? _mountPoint;

    private RootfsView(string root, string? mountPoint)
    {
        Root = root;
        _mountPoint = mountPoint;
    }

    /// <summary>Host path of the view's root; resolve container paths under it with SafeRoot only.</summary>
    public string Root { get; }

    /// <summary>Writable: the container's own overlay (upper + work dirs); only while the container is not running.</summary>
    public static RootfsView Open(RootfsMount rootfs, string scratchDir, bool writable = false)
    {
        ArgumentNullException.ThrowIfNull(rootfs);
        if (rootfs.LowerDirs.Count == 0)
        {
            return new RootfsView(rootfs.UpperDir, null);
        }

        var target = Path.Combine(scratchDir, "view-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(target);
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

    public void Dispose()
    {
        if (_mountPoint is null)
        {
            return;
        }

        Mounter.Unmount(_mountPoint);
        try
        {
            Directory.Delete(_mountPoint);
        }
        catch (IOException)
        {
        }
    }
}
