namespace Berth.Containers.Query;

/// <summary>
/// docker diff from the overlay upper directory alone (no copy, no hashing): an entry of the upper
/// dir is Added when no lower layer has the path, Modified when one has; a whiteout (the 0:0
/// character device overlayfs leaves for a deleted path: empty and mode 000) is Deleted.
/// </summary>
public static class FilesystemChanges
{
    /// <summary>
    /// Mount points the engine puts in every container (Docker keeps them in an "init" layer, so
    /// docker diff never shows them); a directory whose only changes are these is not shown either.
    /// </summary>
    public static readonly IReadOnlySet<string> EnginePaths = new HashSet<string>(StringComparer.Ordinal)
    {
        "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/etc/mtab", "/.dockerenv", "/dev/console", "/dev/pts", "/dev/shm", "/proc", "/sys", "/dev/mqueue",
    };

    public static List<(string Path, FilesystemChangeKind Kind)> Compute(string upperDir, IReadOnlyList<string> lowerDirs, IReadOnlyCollection<string>? extraMountPoints = null)
    {
        var changes = new List<(string, FilesystemChangeKind)>();
        if (Directory.Exists(upperDir))
        {
            Walk(new DirectoryInfo(upperDir), "/", lowerDirs, changes);
        }

        var hidden = new HashSet<string>(EnginePaths, StringComparer.Ordinal);
        hidden.UnionWith(extraMountPoints ?? []);
        var kept = changes.Where(c => !(hidden.Contains(c.Item1) && c.Item2 != FilesystemChangeKind.Deleted)).ToList();

        // A directory left "modified" only because of hidden mount points is not a change.
        kept = kept.Where(c => c.Item2 != FilesystemChangeKind.Modified
            || !changes.Any(h => hidden.Contains(h.Item1) && h.Item1.StartsWith(c.Item1 + "/", StringComparison.Ordinal))
            || kept.Any(k => k.Item1.StartsWith(c.Item1 + "/", StringComparison.Ordinal))).ToList();
        kept.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return kept;
    }

    private static void Walk(DirectoryInfo dir, string prefix, IReadOnlyList<string> lowerDirs, List<(string, FilesystemChangeKind)> changes)
    {
        foreach (var entry in dir.EnumerateFileSystemInfos())
        {
            var path = prefix + entry.Name;
            if (IsWhiteout(entry))
            {
                changes.Add((path, FilesystemChangeKind.Deleted));
                continue;
            }

            var inLower = lowerDirs.Any(l => Path.Exists(l + path) || IsLink(l + path));
            changes.Add((path, inLower ? FilesystemChangeKind.Modified : FilesystemChangeKind.Added));
            if (entry is DirectoryInfo sub && entry.LinkTarget is null)
            {
                Walk(sub, path + "/", lowerDirs, changes);
            }
        }
    }

    private static bool IsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool IsWhiteout(FileSystemInfo entry)
    {
        if (entry is not FileInfo f || f.LinkTarget is not null)
        {
            return false;
        }

        try
        {
            return f.Length == 0 && f.UnixFileMode == UnixFileMode.None;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
