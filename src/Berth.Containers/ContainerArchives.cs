using Berth.Containers.Archive;
using Berth.Core.Errors;
using Berth.Platform.Files;
using Berth.Platform.Native;
using Berth.Runtime.Oci;
using Berth.Storage.Layers;
using Microsoft.Win32.SafeHandles;

namespace Berth.Containers;

/// <summary>
/// docker cp and export: the container's "/" held as a descriptor (a running container's own
/// root, or a view of its rootfs with its volumes mounted, taken under its lock), and the cp
/// views a killed daemon left mounted.
/// </summary>
internal sealed class ContainerArchives(ContainerCore core) : ContainerOwner(core), IContainerArchive
{
    /// <summary>docker export: the container's whole root filesystem (flattened) as a tar stream.</summary>
    public async Task ExportAsync(string idOrName, Stream output, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        var rootfs = _images.GetRootfs(c.Id) ?? throw new BerthException(ErrorKind.Internal, $"the writable layer of container {c.Id} is missing");
        using var view = RootfsView.Open(rootfs, c.Directory);
        await LayerDiff.WriteAsync(view.Root, output, cancellationToken).ConfigureAwait(false);
        Publish(c, "export");
    }

    /// <summary>HEAD /archive: stat of a path in the container (symlinks at the end not followed).</summary>
    public async Task<ArchiveStat> StatPathAsync(string idOrName, string path, CancellationToken cancellationToken)
    {
        path = Absolute(path);
        using var root = await OpenArchiveRootAsync(idOrName, writable: false, cancellationToken).ConfigureAwait(false);
        using var fd = OpenExisting(idOrName, root, path);
        return Stat(fd, path);
    }

    /// <summary>GET /archive: the stat (for the header) and a writer of the tar of the path.</summary>
    public async Task GetArchiveAsync(string idOrName, string path, Func<ArchiveStat, Stream> start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        path = Absolute(path);
        using var root = await OpenArchiveRootAsync(idOrName, writable: false, cancellationToken).ConfigureAwait(false);
        using var fd = OpenExisting(idOrName, root, path);
        var stat = Stat(fd, path);
        var output = start(stat);
        var name = path.EndsWith("/.", StringComparison.Ordinal) ? "." : stat.Name;
        await TarTree.WriteAsync(fd, name, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// PUT /archive: extracts a tar into the directory at <paramref name="path"/>. As docker cp
    /// documents it: what is copied in belongs to the container's user (root by default), or with
    /// <paramref name="copyUidGid"/> (cp -a) keeps the uid/gid the archive gives each entry.
    /// </summary>
    public async Task PutArchiveAsync(string idOrName, string path, Stream input, bool noOverwriteDirNonDir, bool copyUidGid, CancellationToken cancellationToken)
    {
        path = Absolute(path);
        var c = Get(idOrName);
        var mount = MountAt(c, path);
        if (mount is null && c.HostConfig.ReadonlyRootfs)
        {
            throw new BerthException(ErrorKind.Forbidden, "container rootfs is marked read-only");
        }

        if (mount is { RW: false })
        {
            throw new BerthException(ErrorKind.Forbidden, "mounted volume is marked read-only");
        }

        using var root = await OpenArchiveRootAsync(idOrName, writable: true, cancellationToken).ConfigureAwait(false);
        using (var dir = root.Directory.TryOpen(path, Libc.O_PATH))
        {
            if (dir is null)
            {
                throw BerthException.NotFound($"Could not find the file {path} in container {idOrName}");
            }

            if (!PosixFiles.Fstat(dir).IsDirectory)
            {
                throw BerthException.Invalid("extraction point is not a directory");
            }
        }

        try
        {
            var owner = copyUidGid ? ((uint, uint)?)null : ContainerUser(c, root.Directory);
            await TarTree.ExtractAsync(input, root.Directory, path, noOverwriteDirNonDir, owner, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw BerthException.Invalid(e.Message);
        }
        catch (FileNotFoundException e)
        {
            throw BerthException.NotFound(e.Message);
        }
        catch (ErrnoException e) when (e.Errno is 2 or 20 or 21 or 17 or 40 or 18 or 1 or 30 or 39)
        {
            // What the container's tree (or a container changing it meanwhile) makes impossible, not a daemon failure:
            // ENOENT, ENOTDIR, EISDIR, EEXIST, ELOOP, EXDEV, EPERM, EROFS, ENOTEMPTY.
            throw BerthException.Invalid("extracting archive: " + e.Message);
        }

        Publish(c, "extract-to-dir");
    }

    /// <summary>The container's configured user (uid, gid), resolved in its own /etc/passwd and /etc/group; root when none is set.</summary>
    private static (uint Uid, uint Gid) ContainerUser(Model.Container c, RootDirectory root)
    {
        var user = c.Config.User;
        if (user.Length == 0)
        {
            return (0, 0);
        }

        var resolved = UserResolver.Resolve(user, [], Text(root.TryReadAllBytes("/etc/passwd")), Text(root.TryReadAllBytes("/etc/group")));
        return (resolved.Uid, resolved.Gid);

        static string? Text(byte[]? bytes) => bytes is null ? null : System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary>The volume or bind mount <paramref name="path"/> is in (the deepest), or null.</summary>
    private static Model.MountPoint? MountAt(Model.Container c, string path) =>
        c.Mounts
            .Where(m => m.Type is "volume" or "bind" && (path == m.Destination || path.StartsWith(m.Destination.TrimEnd('/') + "/", StringComparison.Ordinal)))
            .OrderByDescending(m => m.Destination.Length)
            .FirstOrDefault();

    private static string Absolute(string path) => path.StartsWith('/') ? path : "/" + path;

    /// <summary>
    /// The path's O_PATH descriptor, resolved inside the root; the final symlink is followed only
    /// when the path ends in "/" or "/." (as Docker).
    /// </summary>
    private static SafeFileHandle OpenExisting(string idOrName, ArchiveRoot root, string path)
    {
        var follow = path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal);
        SafeFileHandle? fd;
        try
        {
            fd = root.Directory.TryOpen(path, Libc.O_PATH | (follow ? 0 : Libc.O_NOFOLLOW));
        }
        catch (ErrnoException e) when (e.Errno == 40)
        {
            // ELOOP: too many links, or a link through /proc's magic links; nothing the container may show.
            fd = null;
        }

        return fd ?? throw BerthException.NotFound($"Could not find the file {path} in container {idOrName}");
    }

    /// <summary>
    /// Running: the container's own root (/proc/PID/root: its view, with its mounts), pinned by
    /// descriptor. Not running: under the container's lock, a view of its rootfs with its volumes
    /// and binds mounted, as dockerd does for archive operations.
    /// </summary>
    private async Task<ArchiveRoot> OpenArchiveRootAsync(string idOrName, bool writable, CancellationToken cancellationToken)
    {
        var id = Get(idOrName).Id;
        for (var attempt = 0; ; attempt++)
        {
            var changed = Entry(id).Changed;
            var c = Current(id);
            if (c.State.Running && c.State.Pid > 0)
            {
                var pid = c.State.Pid;
                var dir = RootDirectory.OpenProcessRoot(pid, () => TryCurrent(id)?.State is { Running: true } s && s.Pid == pid);
                if (dir is not null)
                {
                    return new ArchiveRoot(dir, null, null);
                }

                // Its process is gone but the exit is not recorded yet: once it is, the view below is the way in.
                if (attempt >= 50)
                {
                    throw BerthException.Conflict($"container {id} is neither running nor stopped: its process is gone");
                }

                await Task.WhenAny(changed, Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                continue;
            }

            var gate = Entry(id).Gate;
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                c = Current(id);
                if (c.State.Running)
                {
                    gate.Release();
                    continue;
                }

                if (c.State.RemovalInProgress || c.State.Dead)
                {
                    throw BerthException.Conflict($"container {id} is marked for removal and cannot be used");
                }

                var rootfs = _images.GetRootfs(c.Id) ?? throw new BerthException(ErrorKind.Internal, $"the writable layer of container {c.Id} is missing");
                var pins = new List<SafeFileHandle>();
                RootfsView view;
                try
                {
                    var mounts = ViewMounts(c, pins);
                    view = (writable ? null : RootfsView.TryOpenReadOnlyWithMounts(rootfs, c.Directory, mounts))
                        ?? RootfsView.OpenWithMounts(rootfs, c.Directory, mounts);
                }
                finally
                {
                    pins.ForEach(p => p.Dispose());
                }

                try
                {
                    return new ArchiveRoot(RootDirectory.Open(view.Root), view, gate);
                }
                catch
                {
                    view.Dispose();
                    throw;
                }
            }
            catch
            {
                gate.Release();
                throw;
            }
        }
    }

    /// <summary>The container's volumes and binds (host source, destination, read-only) for a rootfs view.</summary>
    /// <remarks>A volume subpath is opened beneath its volume and named by its descriptor, kept open in <paramref name="pins"/> until the view is mounted.</remarks>
    private List<(string Source, string Destination, bool ReadOnly)> ViewMounts(Model.Container c, List<SafeFileHandle> pins)
    {
        var result = new List<(string, string, bool)>();
        foreach (var m in c.Mounts.Where(m => m.Type is "volume" or "bind"))
        {
            var source = m.Type == "volume" && m.Name.Length > 0 && Volumes is not null ? Volumes.Mount(m.Name) : m.Source;
            if (m.Type == "volume" && m.VolumeSubpath.Length > 0 && source.Length > 0)
            {
                SafeFileHandle pinned;
                try
                {
                    pinned = Create.VolumeSubpaths.Open(source, m.VolumeSubpath);
                }
                catch (BerthException e) when (e.Kind == ErrorKind.NotFound)
                {
                    continue; // gone since: the container would not start either; cp sees what is under it
                }

                pins.Add(pinned);
                result.Add((Berth.Platform.Mounts.DescriptorMounts.SourcePathOf(pinned), m.Destination, !m.RW));
                continue;
            }

            if (source.Length > 0 && (Directory.Exists(source) || File.Exists(source)))
            {
                result.Add((source, m.Destination, !m.RW));
            }
        }

        return result;
    }

    /// <summary>
    /// cp views (<see cref="RootfsView"/>) a killed daemon left mounted in the container's
    /// directory: unmounted with the volumes in them before anything walks the directory.
    /// </summary>
    public void ReleaseStaleArchiveViews(string containerDir, string id)
    {
        try
        {
            if (Archive.RootfsView.ReleaseStale(containerDir) is > 0 and var n)
            {
                LogInfo(_logger, id, $"released {n} cp view(s) left mounted by a previous daemon");
            }

            Create.VolumeSubpaths.ReleaseStale(containerDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogWarning(_logger, id, "releasing a stale cp view", e);
        }
    }

    private static ArchiveStat Stat(SafeFileHandle fd, string path)
    {
        var st = PosixFiles.Fstat(fd);
        var name = Path.GetFileName(path.TrimEnd('/', '.'));
        if (name.Length == 0)
        {
            name = "/";
        }

        var link = st.IsSymlink ? PosixFiles.ReadLink(fd) : string.Empty;
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
