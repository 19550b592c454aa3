using Berth.Containers.Archive;
using Berth.Core.Errors;
using Berth.Platform.Files;
using Berth.Runtime.Oci;
using Berth.Storage.Layers;

namespace Berth.Containers;

public sealed partial class ContainerService
{
    /// <summary>docker export: the container's whole root filesystem (flattened) as a tar stream.</summary>
    public async Task ExportAsync(string idOrName, Stream output, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        var rootfs = RootfsOf(c.Id) ?? throw new BerthException(ErrorKind.Internal, $"the writable layer of container {c.Id} is missing");
        using var view = RootfsView.Open(rootfs, c.Directory);
        await LayerDiff.WriteAsync(view.Root, output, cancellationToken).ConfigureAwait(false);
        Publish(c, "export");
    }

    /// <summary>HEAD /archive: stat of a path in the container (symlinks at the end not followed).</summary>
    public ArchiveStat StatPath(string idOrName, string path)
    {
        using var root = OpenArchiveRoot(idOrName, path, writable: false);
        var (host, _) = ResolveExisting(idOrName, root, path);
        return Stat(host, path);
    }

    /// <summary>GET /archive: the stat (for the header) and a writer of the tar of the path.</summary>
    public async Task GetArchiveAsync(string idOrName, string path, Func<ArchiveStat, Stream> start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        using var root = OpenArchiveRoot(idOrName, path, writable: false);
        var (host, _) = ResolveExisting(idOrName, root, path);
        var stat = Stat(host, path);
        var output = start(stat);
        var name = path.EndsWith("/.", StringComparison.Ordinal) ? "." : stat.Name;
        await TarTree.WriteAsync(host, name, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// PUT /archive: extracts a tar into the directory at <paramref name="path"/>. As docker cp
    /// documents it: what is copied in belongs to the container's user (root by default), or with
    /// <paramref name="copyUidGid"/> (cp -a) keeps the uid/gid the archive gives each entry.
    /// </summary>
    public async Task PutArchiveAsync(string idOrName, string path, Stream input, bool noOverwriteDirNonDir, bool copyUidGid, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        if (c.HostConfig.ReadonlyRootfs && !IsUnderMount(c, path))
        {
            throw new BerthException(ErrorKind.Forbidden, "container rootfs is marked read-only");
        }

        using var root = OpenArchiveRoot(idOrName, path, writable: true);
        var canonical = ScopedPath.Resolve(root.Root, root.Path, followFinal: true);
        if (canonical is null || PosixFiles.TryLstat(ScopedPath.HostPath(root.Root, canonical)) is not { } st)
        {
            throw BerthException.NotFound($"Could not find the file {path} in container {idOrName}");
        }

        if (!st.IsDirectory)
        {
            throw BerthException.Invalid("extraction point is not a directory");
        }

        try
        {
            var owner = copyUidGid ? ((uint, uint)?)null : ContainerUser(c, root);
            await TarTree.ExtractAsync(input, root.Root, canonical, noOverwriteDirNonDir, owner, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw BerthException.Invalid(e.Message);
        }

        Publish(c, "extract-to-dir");
    }

    /// <summary>The container's configured user (uid, gid), resolved in its own /etc/passwd and /etc/group; root when none is set.</summary>
    private (uint Uid, uint Gid) ContainerUser(Model.Container c, ArchiveRoot root)
    {
        var user = c.Config.User;
        if (user.Length == 0)
        {
            return (0, 0);
        }

        ResolvedUser resolved;
        if (root.IsContainerRoot)
        {
            resolved = UserResolver.Resolve(user, [], UserResolver.ReadRootFile(root.Root, "/etc/passwd"), UserResolver.ReadRootFile(root.Root, "/etc/group"));
        }
        else
        {
            var rootfs = RootfsOf(c.Id) ?? throw new BerthException(ErrorKind.Internal, $"the writable layer of container {c.Id} is missing");
            using var view = RootfsView.Open(rootfs, c.Directory);
            resolved = UserResolver.Resolve(user, [], UserResolver.ReadRootFile(view.Root, "/etc/passwd"), UserResolver.ReadRootFile(view.Root, "/etc/group"));
        }

        return (resolved.Uid, resolved.Gid);
    }

    private static bool IsUnderMount(Model.Container c, string path) =>
        c.Mounts.Any(m => path == m.Destination || path.StartsWith(m.Destination.TrimEnd('/') + "/", StringComparison.Ordinal));

    private static (string Host, string Canonical) ResolveExisting(string idOrName, ArchiveRoot root, string path)
    {
        var follow = path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal);
        var canonical = ScopedPath.Resolve(root.Root, root.Path, follow);
        var host = canonical is null ? null : ScopedPath.HostPath(root.Root, canonical);
        if (host is null || PosixFiles.TryLstat(host) is null)
        {
            throw BerthException.NotFound($"Could not find the file {path} in container {idOrName}");
        }

        return (host, canonical!);
    }

    /// <summary>
    /// Running: the container's own view (/proc/PID/root, with its mounts). Stopped: a volume or
    /// bind mount's source when the path is under one, else a view of the rootfs.
    /// </summary>
    private ArchiveRoot OpenArchiveRoot(string idOrName, string path, bool writable)
    {
        var c = Get(idOrName);
        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }

        if (c.State.Running && c.State.Pid > 0)
        {
            return new ArchiveRoot($"/proc/{c.State.Pid}/root", path, null);
        }

        var mount = c.Mounts
            .Where(m => m.Type is "volume" or "bind" && m.Source.Length > 0 && (path == m.Destination || path.StartsWith(m.Destination.TrimEnd('/') + "/", StringComparison.Ordinal)))
            .OrderByDescending(m => m.Destination.Length)
            .FirstOrDefault();
        if (mount is not null)
        {
            if (writable && !mount.RW)
            {
                throw new BerthException(ErrorKind.Forbidden, $"mounted volume is marked read-only");
            }

            return new ArchiveRoot(mount.Source, path[mount.Destination.TrimEnd('/').Length..], null, isContainerRoot: false);
        }

        var rootfs = RootfsOf(c.Id) ?? throw new BerthException(ErrorKind.Internal, $"the writable layer of container {c.Id} is missing");
        var view = RootfsView.Open(rootfs, c.Directory, writable);
        return new ArchiveRoot(view.Root, path, view);
    }

    private static ArchiveStat Stat(string host, string path)
    {
        var st = PosixFiles.Lstat(host);
        var name = Path.GetFileName(path.TrimEnd('/', '.'));
        if (name.Length == 0)
        {
            name = "/";
        }

        var link = st.IsSymlink ? new FileInfo(host).LinkTarget ?? string.Empty : string.Empty;
        return new ArchiveStat(name, st.Size, GoFileMode(st.Mode), st.Mtime, link);
    }

    /// <summary>POSIX st_mode as Go's os.FileMode (type bits at the top; the docker CLI reads IsDir from it).</summary>
    internal static uint GoFileMode(uint mode)
    {
        var result = mode & 0x1FF;
        result |= (mode & FileStatus.TypeMask) switch
        {
            FileStatus.Directory => 1u << 31,
            FileStatus.Symlink => 1u << 27,
            FileStatus.BlockDevice => 1u << 26,
            FileStatus.CharDevice => (1u << 26) | (1u << 21),
            FileStatus.Fifo => 1u << 25,
            FileStatus.Socket => 1u << 24,
            _ => 0u,
        };
        if ((mode & 0x800) != 0)
        {
            result |= 1u << 23;
        }

        if ((mode & 0x400) != 0)
        {
            result |= 1u << 22;
        }

        if ((mode & 0x200) != 0)
        {
            result |= 1u << 20;
        }

        return result;
    }
}
