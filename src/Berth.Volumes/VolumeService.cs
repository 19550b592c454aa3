using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Core.Errors;
using Berth.Core.Events;
using Berth.Core.Filters;
using Berth.Platform.Files;
using Berth.Platform.Mounts;
using Berth.Platform.Native;

namespace Berth.Volumes;

/// <summary>
/// The local volume driver: each volume is &lt;data-root&gt;/volumes/NAME/{_data,volume.json}.
/// A volume is created in a temporary directory (data dir and metadata, fsynced) and renamed into
/// place, so after a crash it either exists completely or not at all; leftovers are swept at start.
/// Reference counts are not stored: <see cref="IVolumeUsage"/> asks the container records.
/// Copy-up is staged inside the volume and published by renames (see <see cref="CopyUpIfEmpty"/>).
/// </summary>
public sealed partial class VolumeService
{
    private const string MetadataFile = "volume.json";
    private const string TempPrefix = ".tmp-";

    /// <summary>NAME_MAX of the file systems a data-root lives on.</summary>
    public const int MaxNameLength = 255;

    // Copy-up staging, inside _data so that renames never cross file systems (device volumes).
    private const string CopyUpPartial = ".berth-copyup-partial";
    private const string CopyUpDone = ".berth-copyup-done";
    private static readonly HashSet<string> LocalOptions = new(StringComparer.Ordinal) { "type", "device", "o", "size" };

    private readonly string _root;
    private readonly EventBus _events;
    private readonly TimeProvider _time;
    private readonly Func<IVolumeUsage?> _usage;
    private readonly ConcurrentDictionary<string, Volume> _volumes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly KeyedGates _copyGates = new();

    public VolumeService(string dataRoot, EventBus events, TimeProvider time, Func<IVolumeUsage?> usage)
    {
        _root = Path.Combine(dataRoot, "volumes");
        _events = events;
        _time = time;
        _usage = usage;
        Load();
    }

    public string Root => _root;

    /// <summary>Creates a volume; an existing volume of the same name is returned as it is (Docker's idempotent create).</summary>
    public Volume Create(CreateVolumeRequest request)
    {
        var driver = request.Driver.Length == 0 ? "local" : request.Driver;
        if (driver != "local")
        {
            throw BerthException.NotFound($"error looking up volume plugin {driver}: plugin \"{driver}\" not found");
        }

        var name = request.Name.Length == 0 ? RandomName() : request.Name;
        ValidateName(name);
        var options = request.DriverOpts ?? new Dictionary<string, string>();
        ValidateOptions(options);
        lock (_lock)
        {
            if (_volumes.TryGetValue(name, out var existing))
            {
                return existing;
            }

            var volume = new Volume
            {
                Name = name,
                Driver = driver,
                Mountpoint = Path.Combine(_root, name, "_data"),
                CreatedAt = TruncateToSeconds(_time.GetUtcNow()),
                Labels = new Dictionary<string, string>(request.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
                Options = new Dictionary<string, string>(options, StringComparer.Ordinal),
            };
            Persist(volume);
            _volumes[name] = volume;
            _events.Publish("volume", "create", name, new Dictionary<string, string> { ["driver"] = driver });
            return volume;
        }
    }

    /// <summary>NotFound "get NAME: no such volume" when absent.</summary>
    public Volume Get(string name) =>
        _volumes.TryGetValue(name, out var v) ? v : throw BerthException.NotFound($"get {name}: no such volume");

    public Volume? TryGet(string name) => _volumes.TryGetValue(name, out var v) ? v : null;

    public IReadOnlyList<Volume> List() => [.. _volumes.Values.OrderBy(v => v.Name, StringComparer.Ordinal)];

    /// <summary>Volumes matching Docker's list filters (dangling, name, label, driver).</summary>
    public IReadOnlyList<Volume> List(FilterSet filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        filters.Accept("dangling", "name", "label", "driver");
        var dangling = filters.GetBool("dangling");
        return [.. List().Where(v =>
            filters.AnyOrAbsent("name", n => v.Name.Contains(n, StringComparison.Ordinal))
            && filters.AnyOrAbsent("driver", d => v.Driver == d)
            && filters.MatchesLabels("label", v.Labels)
            && (dangling is null || dangling == (UsersOf(v.Name).Count == 0)))];
    }

    public IReadOnlyList<string> UsersOf(string name) => _usage()?.ContainersUsing(name) ?? [];

    /// <summary>Removes a volume; in use → Conflict "remove NAME: volume is in use - [IDs]". force ignores a missing volume.</summary>
    public void Remove(string name, bool force)
    {
        lock (_lock)
        {
            if (!_volumes.TryGetValue(name, out var volume))
            {
                if (force)
                {
                    return;
                }

                throw BerthException.NotFound($"get {name}: no such volume");
            }

            var users = UsersOf(name);
            if (users.Count > 0)
            {
                throw BerthException.Conflict($"remove {name}: volume is in use - [{string.Join(", ", users)}]");
            }

            Delete(volume);
        }
    }

    /// <summary>Removes volumes no container uses; only anonymous ones unless the "all" filter is true (API ≥ 1.42).</summary>
    public VolumePruneResult Prune(FilterSet filters, bool anonymousOnlyByDefault)
    {
        ArgumentNullException.ThrowIfNull(filters);
        filters.Accept("label", "label!", "all");
        var all = filters.GetBool("all") ?? !anonymousOnlyByDefault;
        var deleted = new List<string>();
        long reclaimed = 0;
        lock (_lock)
        {
            foreach (var v in List())
            {
                if ((!all && !v.IsAnonymous) || !filters.MatchesLabels("label", v.Labels) || !NotLabels(filters, v.Labels) || UsersOf(v.Name).Count > 0)
                {
                    continue;
                }

                var size = Size(v);
                Delete(v);
                deleted.Add(v.Name);
                reclaimed += size;
            }
        }

        _events.Publish("volume", "prune", string.Empty, new Dictionary<string, string> { ["reclaimed"] = reclaimed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return new VolumePruneResult(deleted, reclaimed);
    }

    /// <summary>Makes the volume's data available (mounting the configured device at first use) and returns its host path.</summary>
    public string Mount(string name)
    {
        var v = Get(name);
        if (v.Options.TryGetValue("type", out var type) || v.Options.ContainsKey("device"))
        {
            lock (_lock)
            {
                if (!Mounter.IsMountPoint(v.Mountpoint))
                {
                    MountDevice(v, type ?? string.Empty);
                }
            }

            // The staging of an interrupted copy-up lives on the device: only visible once mounted.
            using (_copyGates.Enter(name))
            {
                RecoverCopyUp(v.Mountpoint);
            }
        }

        return v.Mountpoint;
    }

    /// <summary>Bytes used by the volume's data (for system df), -1 when it cannot be measured.</summary>
    public long Size(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        try
        {
            return new DirectoryInfo(volume.Mountpoint).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true })
                .Where(f => f.LinkTarget is null)
                .Sum(f => f.Length);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>True when the volume's data directory has no entries (Docker's condition for copy-up).</summary>
    public static bool IsEmpty(string mountpoint) => !Directory.EnumerateFileSystemEntries(mountpoint).Any();

    /// <summary>
    /// Cheap check before <see cref="CopyUpIfEmpty"/>: empty, or holding only a copy-up in progress
    /// (then the caller waits for it rather than starting on a volume that is still being filled).
    /// </summary>
    public static bool MayNeedCopyUp(string mountpoint) =>
        Directory.EnumerateFileSystemEntries(mountpoint).Take(3).All(e => Path.GetFileName(e) is CopyUpPartial or CopyUpDone);

    /// <summary>
    /// Docker's copy-up: when the volume is empty, the tree under <paramref name="source"/> is
    /// copied into it; returns false (and copies nothing) when it already has entries. Crash-safe:
    /// the copy goes to a hidden staging directory inside the volume, which is renamed to mark it
    /// complete and whose entries are then renamed into place. A copy cut short by a crash is
    /// deleted (the volume stays empty, so the next start copies again); a complete one is
    /// finished. Recovery runs at daemon start and before every copy-up. One copy-up per volume at
    /// a time, so two containers starting on one empty volume copy once.
    /// </summary>
    public bool CopyUpIfEmpty(string name, string source)
    {
        var mountpoint = Get(name).Mountpoint;
        using (_copyGates.Enter(name))
        {
            RecoverCopyUp(mountpoint);
            if (!IsEmpty(mountpoint))
            {
                return false;
            }

            var partial = Path.Combine(mountpoint, CopyUpPartial);
            var done = Path.Combine(mountpoint, CopyUpDone);
            try
            {
                Directory.CreateDirectory(partial);
                CopyUp.CopyTree(source, partial);
            }
            catch
            {
                TryDeleteTree(partial);
                throw;
            }

            PosixFiles.RenameNoReplace(partial, done);
            FinishCopyUp(mountpoint);
            return true;
        }
    }

    /// <summary>Undoes a copy-up that was cut short and completes one that was fully staged.</summary>
    private static void RecoverCopyUp(string mountpoint)
    {
        var partial = Path.Combine(mountpoint, CopyUpPartial);
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }

        if (Directory.Exists(Path.Combine(mountpoint, CopyUpDone)))
        {
            FinishCopyUp(mountpoint);
        }
    }

    private static void FinishCopyUp(string mountpoint)
    {
        var done = Path.Combine(mountpoint, CopyUpDone);
        foreach (var entry in Directory.EnumerateFileSystemEntries(done).ToList())
        {
            var target = Path.Combine(mountpoint, Path.GetFileName(entry));
            try
            {
                PosixFiles.RenameNoReplace(entry, target);
            }
            catch (IOException e) when (PosixFiles.IsAlreadyExists(e))
            {
                // Already moved before a crash (or written since by a container): what is in the volume stays.
            }
        }

        // The volume's root takes the image directory's owner and mode (after the renames changed its times).
        CopyUp.CopyRootMetadata(done, mountpoint);
        Directory.Delete(done, recursive: true);
        PosixFiles.FsyncDirectory(mountpoint);
    }

    /// <summary>Copy-up gates currently held or waited for (each is dropped when its last user leaves).</summary>
    internal int CopyGatesInUse => _copyGates.Count;

    public static void ValidateName(string name)
    {
        if (name.Length == 1 && char.IsAsciiLetterOrDigit(name[0]))
        {
            throw BerthException.Invalid($"create {name}: volume name is too short, names should be at least two alphanumeric characters");
        }

        // The name is a directory name under volumes/ (NAME_MAX); longer ones would fail as a 500 at mkdir.
        if (name.Length > MaxNameLength)
        {
            throw BerthException.Invalid($"create {name[..32]}...: volume name is too long, names may have at most {MaxNameLength} characters");
        }

        if (!NamePattern().IsMatch(name))
        {
            throw BerthException.Invalid($"create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
        }
    }

    private static void ValidateOptions(IReadOnlyDictionary<string, string> options)
    {
        foreach (var key in options.Keys)
        {
            if (!LocalOptions.Contains(key))
            {
                throw BerthException.Invalid($"invalid option: \"{key}\"");
            }
        }

        if (options.ContainsKey("size"))
        {
            throw BerthException.Invalid("quota size requested but no quota support");
        }

        if (options.TryGetValue("type", out var type) && type.Length > 0 && !options.ContainsKey("device"))
        {
            throw BerthException.Invalid("missing required option: \"device\"");
        }
    }

    private static void MountDevice(Volume v, string type)
    {
        var device = v.Options.GetValueOrDefault("device", string.Empty);
        ulong flags = 0;
        var data = new List<string>();
        foreach (var o in v.Options.GetValueOrDefault("o", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (o)
            {
                case "bind":
                    flags |= Libc.MS_BIND;
                    break;
                case "rbind":
                    flags |= Libc.MS_BIND | Libc.MS_REC;
                    break;
                case "ro":
                    flags |= Libc.MS_RDONLY;
                    break;
                case "rw":
                    break;
                case "nosuid":
                    flags |= Libc.MS_NOSUID;
                    break;
                case "nodev":
                    flags |= Libc.MS_NODEV;
                    break;
                case "noexec":
                    flags |= Libc.MS_NOEXEC;
                    break;
                default:
                    data.Add(o);
                    break;
            }
        }

        try
        {
            Mounter.Mount(device, v.Mountpoint, (flags & Libc.MS_BIND) != 0 ? null : type, flags, data.Count == 0 ? null : string.Join(',', data));
        }
        catch (ErrnoException e)
        {
            throw new BerthException(ErrorKind.Internal, $"error while mounting volume '{v.Mountpoint}': failed to mount local volume: mount {device}:{v.Mountpoint}, flags: 0x{flags:x}, data: {string.Join(',', data)}: {e.Message}", e);
        }
    }

    private static bool NotLabels(FilterSet filters, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var f in filters.Get("label!"))
        {
            var eq = f.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? f : f[..eq];
            if (labels.TryGetValue(key, out var value) && (eq < 0 || value == f[(eq + 1)..]))
            {
                return false;
            }
        }

        return true;
    }

    private void Persist(Volume volume)
    {
        Directory.CreateDirectory(_root);
        var tmp = Path.Combine(_root, TempPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        Directory.CreateDirectory(Path.Combine(tmp, "_data"));
        try
        {
            // Docker's local volumes are world-traversable with a root-owned 0755 _data.
            Berth.Platform.Files.PosixFiles.Chmod(Path.Combine(tmp, "_data"), 0x1ED);
            AtomicFile.Write(Path.Combine(tmp, MetadataFile), s => JsonSerializer.Serialize(s, volume, VolumeRecordJsonContext.Default.Volume));
            Directory.Move(tmp, Path.Combine(_root, volume.Name));
            Berth.Platform.Files.PosixFiles.FsyncDirectory(_root);
        }
        catch
        {
            TryDeleteTree(tmp);
            throw;
        }
    }

    private void Delete(Volume volume)
    {
        if (volume.Options.Count > 0)
        {
            Mounter.Unmount(volume.Mountpoint);
        }

        if (Mounter.IsMountPoint(volume.Mountpoint))
        {
            throw new BerthException(ErrorKind.Internal, $"remove {volume.Name}: the volume's data is still mounted at {volume.Mountpoint}");
        }

        // Renamed away first so a crash mid-delete never leaves a half-removed volume that still loads.
        var dir = Path.Combine(_root, volume.Name);
        var doomed = Path.Combine(_root, TempPrefix + "rm-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        Directory.Move(dir, doomed);
        _volumes.TryRemove(volume.Name, out _);
        TryDeleteTree(doomed);
        _events.Publish("volume", "destroy", volume.Name, new Dictionary<string, string> { ["driver"] = volume.Driver });
    }

    private void Load()
    {
        StateDirectory.Ensure(_root, StateDirectory.Private); // volume data is reached through containers' mounts only
        _ = PosixFiles.TryMarkTopDirectory(_root); // anonymous volumes come and go with containers
        foreach (var dir in Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith(TempPrefix, StringComparison.Ordinal))
            {
                // An interrupted create or remove: it never became (or already stopped being) a volume.
                TryDeleteTree(dir);
                continue;
            }

            var meta = Path.Combine(dir, MetadataFile);
            if (!File.Exists(meta))
            {
                continue;
            }

            try
            {
                using var fs = File.OpenRead(meta);
                if (JsonSerializer.Deserialize(fs, VolumeRecordJsonContext.Default.Volume) is { } v)
                {
                    _volumes[name] = v with { Name = name, Mountpoint = Path.Combine(dir, "_data") };
                }
            }
            catch (JsonException)
            {
                // A damaged record is skipped, never deleted: the data may still matter to the user.
            }

            if (_volumes.TryGetValue(name, out var loaded) && loaded.Options.Count == 0)
            {
                try
                {
                    RecoverCopyUp(loaded.Mountpoint);
                }
                catch (IOException)
                {
                    // Retried before the volume's next copy-up; a start-up must not fail on one volume.
                }
            }
        }
    }

    private static void TryDeleteTree(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string RandomName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), t.Offset);

    // \z, not $: $ also matches before a final newline, which would end up in a directory name.
    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]+\z")]
    private static partial Regex NamePattern();
}
