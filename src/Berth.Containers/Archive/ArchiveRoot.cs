using Berth.Platform.Files;

namespace Berth.Containers.Archive;

/// <summary>
/// The container's "/" for one cp operation, held as a directory descriptor: a running
/// container's /proc/PID/root (its own view, volumes included), or a view of the rootfs with the
/// volumes mounted for a container that is not running (then the container's lifecycle lock is
/// held, so it cannot start on its writable layer meanwhile, and released on dispose).
/// </summary>
public sealed class ArchiveRoot(RootDirectory directory, RootfsView? view, SemaphoreSlim? heldGate) : IDisposable
{
    public RootDirectory Directory { get; } = directory;

    public void Dispose()
    {
        Directory.Dispose();
        try
        {
            view?.Dispose();
        }
        finally
        {
            heldGate?.Release();
        }
    }
}
