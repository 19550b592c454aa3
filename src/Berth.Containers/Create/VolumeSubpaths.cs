using Berth.Containers.Model;
using Berth.Core.Errors;
using Berth.Platform.Files;
using Berth.Platform.Mounts;
using Berth.Platform.Native;
using Microsoft.Win32.SafeHandles;

namespace Berth.Containers.Create;

/// <summary>
/// Volume mounts with a subpath (--mount volume-subpath=..., API 1.45). A volume's content is the
/// containers' to change, so the subpath is never joined to the volume's host path and handed to
/// runc: it is opened beneath the volume's directory by descriptor
/// (<see cref="BeneathDirectory"/>: symlinks inside the volume are followed, one leading out is
/// refused), and that very directory or file is bind-mounted through /proc/self/fd onto a mount
/// point of the daemon's own (&lt;container dir&gt;/subpaths/&lt;n&gt;), which runc then mounts
/// into the container. Those mounts live only while the container starts (dockerd's safepath.Join
/// does the same); <see cref="ReleaseStale"/> removes the ones a killed daemon left.
/// </summary>
public sealed class VolumeSubpaths : IDisposable
{
    private const string ScratchName = "subpaths";
    private readonly List<string> _mounted = [];

    private VolumeSubpaths(IReadOnlyList<MountPoint> mounts)
    {
        Mounts = mounts;
    }

    /// <summary>The container's mounts, each subpath mount's source replaced by its pinned mount point.</summary>
    public IReadOnlyList<MountPoint> Mounts { get; private set; }

    /// <summary>
    /// Pins every subpath mount of <paramref name="mounts"/>; <paramref name="volumePath"/> gives a
    /// volume's directory by name (mounting it first when it has a device). Throws dockerd's errors:
    /// NotFound "cannot access path ..." when the subpath does not exist, InvalidArgument "path
    /// concatenation escapes the base directory ..." when it leads out of the volume.
    /// </summary>
    public static VolumeSubpaths Bind(string containerDir, IReadOnlyList<MountPoint> mounts, Func<string, string> volumePath)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        ArgumentNullException.ThrowIfNull(volumePath);
        var result = new VolumeSubpaths(mounts);
        if (!mounts.Any(m => m.Type == "volume" && m.VolumeSubpath.Length > 0))
        {
            return result;
        }

        try
        {
            ReleaseStale(containerDir);
            var scratch = Path.Combine(containerDir, ScratchName);
            Directory.CreateDirectory(scratch);
            var pinned = new List<MountPoint>(mounts.Count);
            foreach (var m in mounts)
            {
                if (m.Type != "volume" || m.VolumeSubpath.Length == 0)
                {
                    pinned.Add(m);
                    continue;
                }

                using var target = Open(volumePath(m.Name), m.VolumeSubpath);
                var point = Path.Combine(scratch, result._mounted.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (PosixFiles.Fstat(target).IsDirectory)
                {
                    Directory.CreateDirectory(point);
                }
                else
                {
                    File.WriteAllBytes(point, []);
                }

                result._mounted.Add(point);
                DescriptorMounts.BindFrom(target, point);
                pinned.Add(m with { Source = point });
            }

            result.Mounts = pinned;
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// O_PATH descriptor of <paramref name="subpath"/> beneath the volume directory
    /// <paramref name="volumeDir"/>, with dockerd's errors (daemon/volume/safepath).
    /// </summary>
    public static SafeFileHandle Open(string volumeDir, string subpath)
    {
        ArgumentNullException.ThrowIfNull(volumeDir);
        ArgumentNullException.ThrowIfNull(subpath);
        var clean = Berth.Core.Text.RelativePath.Clean(subpath);
        if (subpath.StartsWith('/') || clean is null)
        {
            throw Escapes(volumeDir, subpath);
        }

        try
        {
            return BeneathDirectory.OpenPath(volumeDir, clean);
        }
        catch (ErrnoException e) when (e.Errno == Libc.EXDEV)
        {
            throw Escapes(volumeDir, subpath);
        }
        catch (ErrnoException e) when (e.Errno is Libc.ENOENT or 20 /* ENOTDIR */ or 40 /* ELOOP */)
        {
            // Go's filepath.Join and the lstat that failed: the first component that is not there.
            var joined = clean.Length == 0 ? volumeDir : volumeDir + "/" + clean;
            var failed = FirstMissing(volumeDir, clean) is { } missing ? volumeDir + "/" + missing : joined;
            throw BerthException.NotFound($"cannot access path {joined}: lstat {failed}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.Errno).ToLowerInvariant()}");
        }
    }

    /// <summary>Unmounts and removes the subpath mount points a killed daemon left in <paramref name="containerDir"/>.</summary>
    public static void ReleaseStale(string containerDir)
    {
        var scratch = Path.Combine(containerDir, ScratchName);
        if (!Directory.Exists(scratch))
        {
            return;
        }

        foreach (var point in Directory.EnumerateFileSystemEntries(scratch))
        {
            Release(point);
        }

        TryDelete(scratch);
    }

    public void Dispose()
    {
        foreach (var point in _mounted)
        {
            Release(point);
        }

        _mounted.Clear();
    }

    private static BerthException Escapes(string volumeDir, string subpath) =>
        BerthException.Invalid($"path concatenation escapes the base directory, base: {volumeDir}, subpath: {subpath}");

    /// <summary>The shortest prefix of <paramref name="clean"/> that cannot be opened beneath the volume, for the message.</summary>
    private static string? FirstMissing(string volumeDir, string clean)
    {
        var parts = clean.Split('/');
        for (var i = 1; i <= parts.Length; i++)
        {
            var prefix = string.Join('/', parts[..i]);
            try
            {
                BeneathDirectory.OpenPath(volumeDir, prefix).Dispose();
            }
            catch (ErrnoException)
            {
                return prefix;
            }
        }

        return null;
    }

    /// <summary>Detaches the mount (the container keeps its own) and removes the mount point; never recursive.</summary>
    private static void Release(string point)
    {
        DescriptorMounts.DetachTree(point);
        TryDelete(point);
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
            // Still a mount point (EBUSY) or not empty: left alone, never walked into.
        }
    }
}
