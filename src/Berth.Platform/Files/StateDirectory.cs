namespace Berth.Platform.Files;

/// <summary>
/// Creates a directory of the daemon's own state with an exact mode, and corrects the mode of one
/// that exists already (a data root made by an older version or by hand, under any umask).
/// Mode bits are set with chmod after creation, so the process umask never widens or narrows them.
/// Only the directory itself is changed; missing parents are created with the default mode.
/// </summary>
public static class StateDirectory
{
    /// <summary>Data root: others cannot even traverse it (dockerd 20.10.9+ since CVE-2021-41091).</summary>
    public const UnixFileMode DataRoot = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute;

    /// <summary>Containers, snapshots, volumes, content, bundles: the daemon's alone.</summary>
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Exec root: holds the default API socket, whose own mode and group decide who may connect.</summary>
    public const UnixFileMode Traversable = Private | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static void Ensure(string path, UnixFileMode mode)
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full);
        if (parent is not null && !Directory.Exists(parent))
        {
            Directory.CreateDirectory(parent);
        }

        Directory.CreateDirectory(full, mode);
        if (File.GetUnixFileMode(full) != mode)
        {
            File.SetUnixFileMode(full, mode);
        }
    }
}
