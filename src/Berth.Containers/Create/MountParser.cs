using System.Globalization;
using Berth.Containers.Model;
using Berth.Core.Errors;

namespace Berth.Containers.Create;

/// <summary>
/// Turns -v binds, --mount specs and --tmpfs into the container's mount points. Volume mounts come
/// out with only a name (empty: anonymous); the container service resolves them with the volume
/// owner (ContainerVolumes.cs).
/// </summary>
public static class MountParser
{
    private static readonly HashSet<string> Propagations = new(StringComparer.Ordinal) { "shared", "rshared", "slave", "rslave", "private", "rprivate" };

    public static List<MountPoint> Parse(HostConfig hc)
    {
        var mounts = new List<MountPoint>();
        foreach (var bind in hc.Binds ?? [])
        {
            mounts.Add(ParseBind(bind));
        }

        foreach (var m in hc.Mounts ?? [])
        {
            mounts.Add(FromSpec(m));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in mounts)
        {
            if (!seen.Add(m.Destination))
            {
                throw BerthException.Invalid($"Duplicate mount point: {m.Destination}");
            }
        }

        foreach (var (dst, _) in hc.Tmpfs ?? new Dictionary<string, string>())
        {
            if (!dst.StartsWith('/'))
            {
                throw BerthException.Invalid($"invalid mount config for type \"tmpfs\": invalid mount path: '{dst}' mount path must be absolute");
            }

            if (!seen.Add(Clean(dst)))
            {
                throw BerthException.Invalid($"Duplicate mount point: {dst}");
            }
        }

        return mounts;
    }

    /// <summary>"/host:/ctr[:opts]" (opts: ro, rw, z, Z, shared, slave, private and r-variants, nocopy).</summary>
    public static MountPoint ParseBind(string bind)
    {
        var parts = bind.Split(':');
        if (parts.Length is < 1 or > 3 || parts.Any(p => p.Length == 0))
        {
            throw BerthException.Invalid($"invalid volume specification: '{bind}'");
        }

        if (parts.Length == 1)
        {
            if (!bind.StartsWith('/'))
            {
                throw BerthException.Invalid($"invalid volume specification: '{bind}': invalid mount config for type \"volume\": invalid mount path: '{bind}' mount path must be absolute");
            }

            // "-v /path": an anonymous volume, named when the container is created.
            return new MountPoint { Type = "volume", Destination = Clean(bind), Driver = "local", RW = true };
        }

        var src = parts[0];
        var dst = parts[1];
        if (!dst.StartsWith('/'))
        {
            throw BerthException.Invalid($"invalid volume specification: '{bind}': invalid mount config for type \"bind\": invalid mount path: '{dst}' mount path must be absolute");
        }

        var isVolume = !src.StartsWith('/');
        var rw = true;
        var noCopy = false;
        var propagation = "rprivate";
        var mode = parts.Length == 3 ? parts[2] : string.Empty;
        foreach (var opt in mode.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (opt)
            {
                case "ro":
                    rw = false;
                    break;
                case "rw":
                    rw = true;
                    break;
                case "z" or "Z":
                    // SELinux relabelling: this host has no SELinux, so there is nothing to relabel.
                    break;
                case "nocopy" when isVolume:
                    noCopy = true;
                    break;
                case "nocopy":
                    throw BerthException.Invalid($"invalid volume specification: '{bind}'");
                default:
                    if (!Propagations.Contains(opt))
                    {
                        throw BerthException.Invalid($"invalid mode: {opt}");
                    }

                    propagation = opt;
                    break;
            }
        }

        if (isVolume)
        {
            return new MountPoint { Type = "volume", Name = src, Destination = Clean(dst), Driver = "local", Mode = mode.Length == 0 ? "z" : mode, RW = rw, NoCopy = noCopy };
        }

        return new MountPoint
        {
            Type = "bind",
            Source = Clean(src),
            Destination = Clean(dst),
            Mode = mode,
            RW = rw,
            Propagation = propagation,
            Options = ["rbind", rw ? "rw" : "ro", propagation],
        };
    }

    public static MountPoint FromSpec(MountSpec m)
    {
        if (!m.Target.StartsWith('/'))
        {
            throw BerthException.Invalid($"invalid mount config for type \"{m.Type}\": invalid mount path: '{m.Target}' mount path must be absolute");
        }

        switch (m.Type)
        {
            case "bind":
                if (m.Source.Length == 0)
                {
                    throw BerthException.Invalid("invalid mount config for type \"bind\": field Source must not be empty");
                }

                if (!m.Source.StartsWith('/'))
                {
                    throw BerthException.Invalid($"invalid mount config for type \"bind\": invalid mount path: '{m.Source}' mount path must be absolute");
                }

                if (!Path.Exists(m.Source))
                {
                    throw BerthException.Invalid($"invalid mount config for type \"bind\": bind source path does not exist: {m.Source}");
                }

                var propagation = m.BindPropagation.Length == 0 ? "rprivate" : m.BindPropagation;
                if (!Propagations.Contains(propagation))
                {
                    throw BerthException.Invalid($"invalid mount config for type \"bind\": invalid propagation mode: {propagation}");
                }

                return new MountPoint
                {
                    Type = "bind",
                    Source = Clean(m.Source),
                    Destination = Clean(m.Target),
                    RW = !m.ReadOnly,
                    Propagation = propagation,
                    Options = [m.BindNonRecursive ? "bind" : "rbind", m.ReadOnly ? "ro" : "rw", propagation],
                };
            case "tmpfs":
                if (m.Source.Length > 0)
                {
                    throw BerthException.Invalid("invalid mount config for type \"tmpfs\": field Source must not be specified");
                }

                var opts = new List<string> { "nosuid", "nodev", "noexec", m.ReadOnly ? "ro" : "rw" };
                if (m.TmpfsSizeBytes > 0)
                {
                    opts.Add(string.Create(CultureInfo.InvariantCulture, $"size={m.TmpfsSizeBytes}"));
                }

                if (m.TmpfsMode != 0)
                {
                    opts.Add("mode=" + Convert.ToString(m.TmpfsMode, 8));
                }

                return new MountPoint { Type = "tmpfs", Destination = Clean(m.Target), RW = !m.ReadOnly, Options = opts };
            case "volume":
                if (m.BindPropagation.Length > 0)
                {
                    throw BerthException.Invalid("invalid mount config for type \"volume\": field BindOptions must not be specified");
                }

                if (m.TmpfsSizeBytes != 0 || m.TmpfsMode != 0)
                {
                    throw BerthException.Invalid("invalid mount config for type \"volume\": field TmpfsOptions must not be specified");
                }

                if (m.VolumeSubpath.Length > 0)
                {
                    // dockerd's checks (linux_parser.go); the path itself is resolved at each start.
                    if (m.Source.Length == 0)
                    {
                        throw BerthException.Invalid("invalid mount config for type \"volume\": must not set Subpath when using anonymous volumes");
                    }

                    if (m.VolumeSubpath.StartsWith('/') || Berth.Core.Text.RelativePath.Clean(m.VolumeSubpath) is null)
                    {
                        throw BerthException.Invalid("invalid mount config for type \"volume\": subpath must be a relative path within the volume");
                    }
                }

                return new MountPoint
                {
                    Type = "volume",
                    Name = m.Source,
                    Destination = Clean(m.Target),
                    Driver = m.VolumeDriver.Length == 0 ? "local" : m.VolumeDriver,
                    RW = !m.ReadOnly,
                    NoCopy = m.VolumeNoCopy,
                    VolumeLabels = m.VolumeLabels,
                    VolumeDriverOptions = m.VolumeDriverOptions,
                    VolumeSubpath = m.VolumeSubpath,
                };
            default:
                throw BerthException.Invalid($"invalid mount config for type \"{m.Type}\": mount type unknown");
        }
    }

    /// <summary>Options for a --tmpfs entry ("size=64m,mode=1777,exec"), with Docker's defaults (nosuid, nodev, noexec).</summary>
    public static IReadOnlyList<string> TmpfsOptions(string spec)
    {
        var opts = new List<string>();
        var exec = false;
        var flags = new List<string>();
        foreach (var o in spec.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (o)
            {
                case "exec":
                    exec = true;
                    break;
                case "noexec":
                    exec = false;
                    break;
                case "ro" or "rw" or "suid" or "nosuid" or "dev" or "nodev" or "sync" or "async" or "dirsync" or "atime" or "noatime" or "diratime" or "nodiratime" or "relatime" or "norelatime" or "strictatime" or "nostrictatime":
                    flags.Add(o);
                    break;
                default:
                    if (o.StartsWith("size=", StringComparison.Ordinal))
                    {
                        opts.Add("size=" + ParseSize(o[5..]).ToString(CultureInfo.InvariantCulture));
                    }
                    else if (o.StartsWith("mode=", StringComparison.Ordinal) || o.StartsWith("uid=", StringComparison.Ordinal) || o.StartsWith("gid=", StringComparison.Ordinal) || o.StartsWith("nr_inodes=", StringComparison.Ordinal))
                    {
                        opts.Add(o);
                    }
                    else
                    {
                        throw BerthException.Invalid($"invalid tmpfs option [\"{o}\"]");
                    }

                    break;
            }
        }

        var result = new List<string>();
        if (!flags.Contains("suid"))
        {
            result.Add("nosuid");
        }

        if (!flags.Contains("dev"))
        {
            result.Add("nodev");
        }

        result.Add(exec ? "exec" : "noexec");
        result.AddRange(flags.Where(f => f is not ("suid" or "dev")));
        result.AddRange(opts);
        return result;
    }

    /// <summary>Docker's RAMInBytes: "64m", "1g", "512k", "100" (bytes).</summary>
    public static long ParseSize(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            i++;
        }

        if (i == 0 || !double.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            throw BerthException.Invalid($"invalid size: '{text}'");
        }

        var unit = s[i..].TrimEnd('b', 'i');
        var mult = unit switch
        {
            "" => 1L,
            "k" => 1024L,
            "m" => 1024L * 1024,
            "g" => 1024L * 1024 * 1024,
            "t" => 1024L * 1024 * 1024 * 1024,
            _ => throw BerthException.Invalid($"invalid size: '{text}'"),
        };
        return (long)(n * mult);
    }

    private static string Clean(string path)
    {
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        return trimmed.Length == 0 ? "/" : trimmed;
    }
}
