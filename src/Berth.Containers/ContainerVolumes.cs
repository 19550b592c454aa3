using Berth.Containers.Create;
using Berth.Containers.Model;
using Berth.Core.Errors;
using Berth.Core.Model;
using Berth.Platform.Files;
using Berth.Platform.Mounts;
using Berth.Platform.Native;
using Berth.Volumes;

namespace Berth.Containers;

/// <summary>
/// A container's volumes: bound to real volumes at create, mounted and copied up before each
/// start, anonymous ones removed with the container.
/// </summary>
internal sealed class ContainerVolumes(ContainerCore core) : ContainerOwner(core)
{
    /// <summary>
    /// Completes the parsed mounts at create: --volumes-from copies, image VOLUMEs become anonymous
    /// volumes, and every volume mount is bound to a real (possibly new) volume.
    /// </summary>
    public List<MountPoint> ResolveVolumeMounts(List<MountPoint> mounts, ContainerConfig merged, HostConfig hc)
    {
        var result = new List<MountPoint>(mounts);
        var taken = new HashSet<string>(result.Select(m => m.Destination), StringComparer.Ordinal);
        foreach (var t in hc.Tmpfs?.Keys ?? [])
        {
            taken.Add(t.Length > 1 ? t.TrimEnd('/') : t);
        }

        foreach (var spec in hc.VolumesFrom ?? [])
        {
            var parts = spec.Split(':');
            bool? rw = parts.Length switch
            {
                1 => null,
                2 when parts[1] == "ro" => false,
                2 when parts[1] == "rw" => true,
                _ => throw BerthException.Invalid($"invalid mode for volumes-from: {spec}"),
            };
            var source = Get(parts[0]);
            foreach (var m in source.Mounts)
            {
                if (m.Type == "tmpfs" || !taken.Add(m.Destination))
                {
                    continue;
                }

                var copy = rw is { } w ? m with { RW = w, Options = [.. m.Options.Select(o => o is "rw" or "ro" ? (w ? "rw" : "ro") : o)] } : m;
                result.Add(copy);
            }
        }

        foreach (var path in merged.Volumes ?? [])
        {
            var dst = path.Length > 1 ? path.TrimEnd('/') : path;
            if (taken.Add(dst))
            {
                result.Add(new MountPoint { Type = "volume", Destination = dst, Driver = "local", RW = true });
            }
        }

        for (var i = 0; i < result.Count; i++)
        {
            var m = result[i];
            if (m.Type != "volume" || m.Source.Length > 0)
            {
                continue;
            }

            var volumes = Volumes ?? throw BerthException.NotImplemented("volumes are not available in this engine configuration");
            var labels = new Dictionary<string, string>(m.VolumeLabels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            if (m.Name.Length == 0)
            {
                labels[Volume.AnonymousLabel] = string.Empty;
            }

            var volume = m.Name.Length > 0 && volumes.TryGet(m.Name) is { } existing
                ? existing
                : volumes.Create(new CreateVolumeRequest { Name = m.Name, Driver = m.Driver, Labels = labels, DriverOpts = m.VolumeDriverOptions });
            result[i] = m with
            {
                Name = volume.Name,
                Source = volume.Mountpoint,
                Driver = volume.Driver,
                Options = ["rbind", m.RW ? "rw" : "ro", "rprivate"],
            };
        }

        return result;
    }

    /// <summary>
    /// Before each start: mounts volumes that have a device, then copies the image's content at
    /// the mount point into every empty volume (Docker's copy-up; never for binds or nocopy).
    /// </summary>
    public void PrepareVolumesForStart(Container c, RootfsMount rootfs)
    {
        var needCopy = new List<MountPoint>();
        foreach (var m in c.Mounts.Where(m => m.Type == "volume"))
        {
            if (Volumes is null)
            {
                throw BerthException.NotImplemented("volumes are not available in this engine configuration");
            }

            var path = Volumes.Mount(m.Name);
            // A subpath mount shows part of a volume: the image's content is not copied into it.
            if (!m.NoCopy && m.VolumeSubpath.Length == 0 && Directory.Exists(path) && VolumeService.MayNeedCopyUp(path))
            {
                needCopy.Add(m);
            }
        }

        if (needCopy.Count == 0)
        {
            return;
        }

        // A read-only view of the image plus the container's own changes: overlay of lower dirs only.
        var layers = new List<string> { rootfs.UpperDir };
        layers.AddRange(rootfs.LowerDirs);
        var view = Path.Combine(c.Directory, "copyup");
        ReleaseStaleCopyUpView(c);
        var mounted = false;
        try
        {
            string root;
            if (layers.Count == 1)
            {
                root = rootfs.UpperDir;
            }
            else
            {
                Directory.CreateDirectory(view);
                Mounter.Mount("overlay", view, "overlay", Libc.MS_RDONLY, "lowerdir=" + string.Join(':', layers));
                mounted = true;
                root = view;
            }

            foreach (var m in needCopy)
            {
                string from;
                try
                {
                    // Inside the container's root: a hostile symlink at the mount point cannot lead outside it.
                    from = SafeRoot.Resolve(root, m.Destination);
                }
                catch (ErrnoException)
                {
                    continue;
                }

                if (Directory.Exists(from) && !File.Exists(from) && Directory.EnumerateFileSystemEntries(from).Any())
                {
                    Volumes!.CopyUpIfEmpty(m.Name, from);
                }
            }
        }
        finally
        {
            if (mounted)
            {
                Mounter.Unmount(view);
                Directory.Delete(view);
            }
        }
    }

    /// <summary>
    /// The copy-up view of a daemon killed mid-copy is still mounted: unmounted before the next
    /// copy-up and at daemon start (else removing the container would walk into it). The directory
    /// exists only while a view is in use, so this is one stat for almost every container.
    /// </summary>
    public void ReleaseStaleCopyUpView(Container c)
    {
        var view = Path.Combine(c.Directory, "copyup");
        try
        {
            if (Directory.Exists(view))
            {
                Mounter.Unmount(view);
                Directory.Delete(view);
            }
        }
        catch (Exception e) when (e is IOException or ErrnoException)
        {
            LogWarning(_logger, c.Id, "releasing a stale copy-up view", e);
        }
    }

    /// <summary>rm -v and --rm: the container's anonymous volumes go with it (unless another container still uses them).</summary>
    public void RemoveAnonymousVolumes(Container c)
    {
        if (Volumes is null)
        {
            return;
        }

        foreach (var m in c.Mounts.Where(m => m.Type == "volume" && m.Name.Length > 0))
        {
            if (Volumes.TryGet(m.Name) is not { IsAnonymous: true })
            {
                continue;
            }

            try
            {
                Volumes.Remove(m.Name, force: true);
            }
            catch (BerthException e) when (e.Kind == ErrorKind.Conflict)
            {
                // Still used (--volumes-from): Docker keeps it too.
            }
        }
    }
}
