using System.Collections.Immutable;
using System.Text.Json;
using Berth.Containers.Model;
using Berth.Core.Errors;
using Berth.Platform.Files;

namespace Berth.Containers.Store;

/// <summary>
/// Container records on disk (one directory per container with an atomically replaced
/// config.v2.json, as Docker keeps them) and the in-memory snapshot built from them. A container
/// is visible once its record file exists: a daemon killed half-way through a create leaves a
/// directory without a record, which <see cref="Load"/> reports for clean-up.
/// </summary>
public sealed class ContainerStore
{
    public const string RecordFile = "config.v2.json";

    private readonly string _root;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _reservedNames = new(StringComparer.Ordinal);
    private ContainerSnapshot _snapshot = ContainerSnapshot.Empty;

    public ContainerStore(string containersRoot)
    {
        _root = containersRoot;
        StateDirectory.Ensure(_root, StateDirectory.Private); // records hold containers' environments
        _ = PosixFiles.TryMarkTopDirectory(_root); // container directories are spread over block groups (see there)
    }

    public string Root => _root;

    public ContainerSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public string DirectoryOf(string id) => Path.Combine(_root, id);

    /// <summary>Reads every record; returns the IDs of directories that hold no valid record (half-created containers).</summary>
    public IReadOnlyList<string> Load()
    {
        var orphans = new List<string>();
        var byId = ImmutableDictionary.CreateBuilder<string, Container>(StringComparer.Ordinal);
        var byName = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(_root))
        {
            var id = Path.GetFileName(dir);
            AtomicFile.RemoveLeftovers(dir);

            var file = Path.Combine(dir, RecordFile);
            Container? c = null;
            if (File.Exists(file))
            {
                try
                {
                    c = JsonSerializer.Deserialize(File.ReadAllBytes(file), ContainerRecordJsonContext.Default.Container);
                }
                catch (JsonException)
                {
                    c = null;
                }
            }

            if (c is null || c.Id != id)
            {
                orphans.Add(id);
                continue;
            }

            byId[c.Id] = c;
            byName[c.Name] = c.Id;
        }

        lock (_lock)
        {
            Volatile.Write(ref _snapshot, new ContainerSnapshot(byId.ToImmutable(), byName.ToImmutable()));
        }

        return orphans;
    }

    /// <summary>Claims a name for a container being created or renamed; Conflict with Docker's message when taken.</summary>
    public void ReserveName(string name, string id)
    {
        lock (_lock)
        {
            var owner = _snapshot.IdByName.TryGetValue(name, out var existing) ? existing
                : _reservedNames.TryGetValue(name, out var reserved) ? reserved
                : null;
            if (owner is not null && owner != id)
            {
                throw BerthException.Conflict($"Conflict. The container name \"/{name}\" is already in use by container \"{owner}\". You have to remove (or rename) that container to be able to reuse that name.");
            }

            _reservedNames[name] = id;
        }
    }

    public bool IsNameTaken(string name)
    {
        lock (_lock)
        {
            return _snapshot.IdByName.ContainsKey(name) || _reservedNames.ContainsKey(name);
        }
    }

    public void ReleaseName(string name, string id)
    {
        lock (_lock)
        {
            if (_reservedNames.TryGetValue(name, out var owner) && owner == id)
            {
                _reservedNames.Remove(name);
            }
        }
    }

    /// <summary>Writes the record durably (temp file, fsync, rename) and publishes it.</summary>
    public void Save(Container container)
    {
        var dir = DirectoryOf(container.Id);
        Directory.CreateDirectory(dir);
        AtomicFile.Write(Path.Combine(dir, RecordFile), s => JsonSerializer.Serialize(s, container, ContainerRecordJsonContext.Default.Container));
        Publish(container);
    }

    /// <summary>Publishes a change in memory only (health probes: best effort on disk, like Docker).</summary>
    public void Publish(Container container)
    {
        lock (_lock)
        {
            var s = _snapshot;
            var byName = s.IdByName;
            if (s.ById.TryGetValue(container.Id, out var old) && old.Name != container.Name && byName.TryGetValue(old.Name, out var oldOwner) && oldOwner == container.Id)
            {
                byName = byName.Remove(old.Name);
            }

            byName = byName.SetItem(container.Name, container.Id);
            _reservedNames.Remove(container.Name);
            Volatile.Write(ref _snapshot, new ContainerSnapshot(s.ById.SetItem(container.Id, container), byName));
        }
    }

    /// <summary>Removes the record (the container disappears at once) and forgets it; the caller removes the directory.</summary>
    public void Delete(string id)
    {
        var file = Path.Combine(DirectoryOf(id), RecordFile);
        if (File.Exists(file))
        {
            File.Delete(file);
        }

        lock (_lock)
        {
            var s = _snapshot;
            if (!s.ById.TryGetValue(id, out var c))
            {
                return;
            }

            var byName = s.IdByName.TryGetValue(c.Name, out var owner) && owner == id ? s.IdByName.Remove(c.Name) : s.IdByName;
            Volatile.Write(ref _snapshot, new ContainerSnapshot(s.ById.Remove(id), byName));
        }
    }
}
