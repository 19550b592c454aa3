using Berth.Platform.Native;

namespace Berth.Platform.Files;

/// <summary>A device node on the host (for --device and privileged containers).</summary>
public sealed record DeviceNode(string Path, char Type, long Major, long Minor, uint Mode, uint Uid, uint Gid)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNofollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>Stats a path (following symlinks); null when it is not a char/block device.</summary>
    public static unsafe DeviceNode? TryStat(string path, bool followSymlinks = true)
    {
        // statx's struct layout is the same on every architecture, unlike struct stat.
        var buf = stackalloc byte[256];
        if (Libc.statx(AtFdCwd, path, followSymlinks ? 0 : AtSymlinkNofollow, StatxBasicStats, buf) != 0)
        {
            return null;
        }

        var mode = *(ushort*)(buf + 28);
        var uid = *(uint*)(buf + 20);
        var gid = *(uint*)(buf + 24);
        var major = *(uint*)(buf + 128);
        var minor = *(uint*)(buf + 132);
        var type = (mode & 0xF000) switch
        {
            0x2000 => 'c',
            0x6000 => 'b',
            _ => '\0',
        };
        return type == '\0' ? null : new DeviceNode(path, type, major, minor, (uint)(mode & 0xFFF), uid, gid);
    }

    /// <summary>Every device under a directory (recursively), skipping pts/shm/mqueue as Docker does.</summary>
    public static List<DeviceNode> Under(string dir)
    {
        var result = new List<DeviceNode>();
        Walk(dir, result);
        return result;
    }

    private static void Walk(string dir, List<DeviceNode> result)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(dir).ToList();
        }
        catch (IOException)
        {
            return;
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }

        foreach (var e in entries)
        {
            var name = System.IO.Path.GetFileName(e);
            var info = new FileInfo(e);
            if (info.LinkTarget is not null)
            {
                continue;
            }

            if (Directory.Exists(e))
            {
                if (dir == "/dev" && name is "pts" or "shm" or "fd" or "mqueue" or ".lxc" or ".lxd-mounts" or ".udev")
                {
                    continue;
                }

                Walk(e, result);
                continue;
            }

            if (name == "console" && dir == "/dev")
            {
                continue;
            }

            if (TryStat(e, followSymlinks: false) is { } d)
            {
                result.Add(d);
            }
        }
    }
}
