using System.Collections.Concurrent;

namespace Berth.Containers.Exec;

/// <summary>Exec instances by ID (they live in memory only, as Docker's).</summary>
internal sealed class ExecStore
{
    private readonly ConcurrentDictionary<string, ExecInstance> _byId = new(StringComparer.Ordinal);

    public void Add(ExecInstance exec) => _byId[exec.Id] = exec;

    public ExecInstance? Find(string id) => _byId.GetValueOrDefault(id);

    public void Remove(string id) => _byId.TryRemove(id, out _);

    public IReadOnlyList<string> ForContainer(string containerId) =>
        [.. _byId.Values.Where(e => e.ContainerId == containerId).Select(e => e.Id)];
}
