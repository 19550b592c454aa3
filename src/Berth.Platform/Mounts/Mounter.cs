using Berth.Platform.Native;

namespace Berth.Platform.Mounts;

/// <summary>mount(2)/umount2(2) with errno turned into exceptions, and mountinfo look-ups.</summary>
public static class Mounter
{
    /// <summary>Mounts an overlay (or a bind of <paramref name="upperDir"/> when there are no lower layers) at <paramref name="target"/>.</summary>
    public static void MountOverlay(IReadOnlyList<string> lowerDirs, string upperDir, string workDir, string target)
    {
        ArgumentNullException.ThrowIfNull(lowerDirs);
        if (lowerDirs.Count == 0)
        {
            Mount(upperDir, target, null, Libc.MS_BIND, null);
            return;
        }

        var options = $"lowerdir={string.Join(':', lowerDirs)},upperdir={upperDir},workdir={workDir}";
        Mount("overlay", target, "overlay", 0, options);
    }

    public static void Mount(string? source, string target, string? fsType, ulong flags, string? data)
    {
        if (Libc.mount(source, target, fsType, flags, data) != 0)
        {
            throw ErrnoException.Last($"mount {source} on {target}");
        }
    }

    /// <summary>Unmounts; a path that is not mounted (EINVAL) or gone (ENOENT) is not an error. Lazy detach on EBUSY.</summary>
    public static void Unmount(string target)
    {
        if (Libc.umount2(target, 0) == 0)
        {
            return;
        }

        var errno = Libc.LastErrno;
        if (errno is Libc.EINVAL or Libc.ENOENT)
        {
            return;
        }

        if (errno == Libc.EBUSY && Libc.umount2(target, Libc.MNT_DETACH) == 0)
        {
            return;
        }

        throw new ErrnoException($"umount {target}", errno);
    }

    /// <summary>True when <paramref name="path"/> is a mount point in this mount namespace.</summary>
    public static bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // mountinfo field 5 is the mount point, with spaces etc. octal-escaped.
            var parts = line.Split(' ', 6);
            if (parts.Length > 4 && Unescape(parts[4]) == full)
            {
                return true;
            }
        }

        return false;
    }

    private static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }

        var sb = new System.Text.StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length)
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(s[i]);
            }
        }

        return sb.ToString();
    }
}
