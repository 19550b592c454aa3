namespace Berth.Containers.Archive;

/// <summary>The directory a cp path is resolved in (a running container's /proc/PID/root, a mount's source, or a rootfs view).</summary>
public sealed class ArchiveRoot(string root, string path, RootfsView? view, bool isContainerRoot = true) : IDisposable
{
    public string Root { get; } = root;

    /// <summary>True when <see cref="Root"/> is the container's "/" (not a mount's source), so its /etc/passwd is the container's.</summary>
    public bool IsContainerRoot { get; } = isContainerRoot;

    /// <summary>The requested path relative to <see cref="Root"/> (still unresolved).</summary>
    public string Path { get; } = path;

    public void Dispose() => view?.Dispose();
}
