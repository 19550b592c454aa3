using System.Globalization;

namespace Berth.Platform.Isolation;

/// <summary>
/// The cgroup v1 "tasks" files of a process's cgroups, one per hierarchy. cgroup v1 places
/// threads individually, so a thread that writes its id there moves alone, and every process it
/// then starts is born inside the cgroups (no window in which the child runs outside them).
/// cgroup v2 moves whole processes only: on a pure v2 host this gives nothing and callers use
/// another way; on a hybrid host the v2 hierarchy (hugetlb at most, no limits Berth sets) is
/// joined by the started process right after it starts.
/// </summary>
public static class CgroupTasks
{
    /// <summary>
    /// Where a thread must write its id to share <paramref name="pid"/>'s cgroups, or null on a
    /// pure cgroup v2 host.
    /// </summary>
    public static CgroupPlacement? ForProcess(int pid, string procRoot = "/proc")
    {
        var mounts = ParseCgroupMounts(File.ReadAllText(Path.Combine(procRoot, "self", "mountinfo")));
        var membership = File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "cgroup"));
        return Resolve(membership, mounts, path => File.Exists(path) ? File.ReadAllText(path) : null);
    }

    /// <summary>
    /// Moves the calling thread into each v1 hierarchy of the placement. It writes "0" (the
    /// writer itself) rather than its id: the kernel then skips the global threadgroup lock,
    /// whose writer otherwise waits for an RCU grace period (~10 ms here) on every migration.
    /// </summary>
    public static void JoinCurrentThread(CgroupPlacement placement)
    {
        ArgumentNullException.ThrowIfNull(placement);
        foreach (var file in placement.ThreadTaskFiles)
        {
            File.WriteAllText(file, "0");
        }
    }

    /// <summary>v1 hierarchies (super options → mount point, mount root) and the v2 mount if any.</summary>
    internal static IReadOnlyList<CgroupMount> ParseCgroupMounts(string mountinfo)
    {
        var result = new List<CgroupMount>();
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // id parent maj:min root mountpoint options [optional...] - fstype source superoptions
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0)
            {
                continue;
            }

            var left = line[..dash].Split(' ');
            var right = line[(dash + 3)..].Split(' ');
            if (left.Length < 5 || right.Length < 3 || (right[0] != "cgroup" && right[0] != "cgroup2"))
            {
                continue;
            }

            var options = right[0] == "cgroup2"
                ? []
                : right[2].Split(',').Where(o => o is not ("rw" or "ro") && !o.StartsWith("clone_children", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
            result.Add(new CgroupMount(right[0] == "cgroup2", Unescape(left[3]), Unescape(left[4]), options));
        }

        return result;
    }

    /// <summary>Writes <paramref name="pid"/> into the v2 cgroup of the placement, if it has one.</summary>
    public static void JoinProcess(CgroupPlacement placement, int pid)
    {
        ArgumentNullException.ThrowIfNull(placement);
        if (placement.UnifiedProcsFile is { } procs)
        {
            File.WriteAllText(procs, pid.ToString(CultureInfo.InvariantCulture));
        }
    }

    internal static CgroupPlacement? Resolve(string membership, IReadOnlyList<CgroupMount> mounts, Func<string, string?> readFile)
    {
        var files = new List<string>();
        string? unified = null;
        foreach (var line in membership.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            if (parts[1].Length == 0)
            {
                var v2 = mounts.FirstOrDefault(m => m.Unified);
                if (v2 is null)
                {
                    continue;
                }

                var controllers = Path.Combine(v2.MountPoint, "cgroup.controllers");
                if (readFile(controllers) is { } list && list.Trim().Length > 0)
                {
                    unified = Join(v2, parts[2], "cgroup.procs");
                }

                continue;
            }

            var wanted = parts[1].Split(',');
            var mount = mounts.FirstOrDefault(m => !m.Unified && wanted.All(m.Options.Contains));
            if (mount is null)
            {
                continue; // a hierarchy this mount namespace does not show
            }

            files.Add(Join(mount, parts[2], "tasks"));
        }

        // Only v2 with controllers: a thread cannot be placed there alone.
        return files.Count == 0 && unified is not null ? null : new CgroupPlacement(files, unified);
    }

    private static string Join(CgroupMount mount, string path, string file)
    {
        if (mount.Root != "/" && path.StartsWith(mount.Root, StringComparison.Ordinal))
        {
            path = path[mount.Root.Length..];
        }

        var relative = path.Trim('/');
        return mount.MountPoint + "/" + (relative.Length > 0 ? relative + "/" : string.Empty) + file;
    }

    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);

    internal sealed record CgroupMount(bool Unified, string Root, string MountPoint, IReadOnlySet<string> Options);
}

/// <summary>
/// A process's cgroups as a thread joins them: the v1 "tasks" files, and on hybrid hosts the v2
/// "cgroup.procs" file the started process is written to.
/// </summary>
public sealed record CgroupPlacement(IReadOnlyList<string> ThreadTaskFiles, string? UnifiedProcsFile);
