using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Berth.Platform.Net;

/// <summary>
/// Network namespace primitives. They act on the calling thread only (setns/unshare of
/// CLONE_NEWNET are per thread), so callers use them from a thread they own: see
/// <see cref="NamespaceThread"/>.
/// </summary>
public static class NetNamespace
{
    /// <summary>Opens the calling thread's current network namespace.</summary>
    public static SafeFileHandle OpenCurrent() => Open("/proc/thread-self/ns/net");

    /// <summary>Opens a namespace file (a bind mount such as /run/netns/x, or /proc/PID/ns/net).</summary>
    public static SafeFileHandle Open(string path)
    {
        var fd = NetLibc.open(path, NetLibc.O_RDONLY | NetLibc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"open network namespace {path}: {NetLibc.ErrorText(errno)}", errno == NetLibc.ENOENT ? new FileNotFoundException(path) : null);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Moves the calling thread into the namespace.</summary>
    public static void Enter(SafeFileHandle ns)
    {
        var added = false;
        ns.DangerousAddRef(ref added);
        try
        {
            if (NetLibc.setns((int)ns.DangerousGetHandle(), NetLibc.CLONE_NEWNET) != 0)
            {
                throw new IOException($"setns(CLONE_NEWNET): {NetLibc.ErrorText(Marshal.GetLastPInvokeError())}");
            }
        }
        finally
        {
            if (added)
            {
                ns.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Moves the calling thread into a new, empty network namespace and keeps it alive by bind
    /// mounting it at <paramref name="path"/> (an empty file is created there first).
    /// </summary>
    public static void CreateBound(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (File.Create(path))
        {
        }

        if (NetLibc.unshare(NetLibc.CLONE_NEWNET) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            File.Delete(path);
            throw new IOException($"unshare(CLONE_NEWNET): {NetLibc.ErrorText(errno)}");
        }

        var self = $"/proc/self/task/{NetLibc.gettid()}/ns/net";
        if (NetLibc.mount(self, path, null, NetLibc.MS_BIND, null) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            File.Delete(path);
            throw new IOException($"bind mount {self} on {path}: {NetLibc.ErrorText(errno)}");
        }
    }

    /// <summary>Unmounts and deletes a bound namespace file; the namespace dies with its last user. Idempotent.</summary>
    public static void RemoveBound(string path)
    {
        if (NetLibc.umount2(path, NetLibc.MNT_DETACH) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != NetLibc.EINVAL && errno != NetLibc.ENOENT)
            {
                throw new IOException($"unmount {path}: {NetLibc.ErrorText(errno)}");
            }
        }

        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Mount points under <paramref name="directory"/> that hold a namespace (nsfs) bind mount.</summary>
    public static IReadOnlySet<string> ListBound(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0 || !line.AsSpan(dash + 3).StartsWith("nsfs ", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line[..dash].Split(' ');
            if (fields.Length > 4)
            {
                var mountPoint = fields[4].Replace("\\040", " ", StringComparison.Ordinal);
                if (mountPoint.StartsWith(prefix, StringComparison.Ordinal))
                {
                    set.Add(mountPoint);
                }
            }
        }

        return set;
    }
}
