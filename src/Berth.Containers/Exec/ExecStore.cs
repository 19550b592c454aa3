using System.Collections.Concurrent;

namespace Berth.Containers.Exec;

/// <summary>
/// Exec instances by ID (they live in memory only, as Docker's). An ended exec stays inspectable
/// for a while and is then dropped, as dockerd's execCommandGC does: every
/// <see cref="ContainerServiceOptions.ExecCollectInterval"/> (5 minutes) a round removes the instances the previous round marked
/// (<see cref="ExecInstance.CanRemove"/>) and marks those that have ended since, so an exit code
/// can be read for 5 to 10 minutes. Instances not yet started or still running are kept until
/// their container goes.
/// </summary>
internal sealed class ExecStore
{
    private readonly ConcurrentDictionary<string, ExecInstance> _byId = new(StringComparer.Ordinal);

    public int Count => _byId.Count;

    public void Add(ExecInstance exec) => _byId[exec.Id] = exec;

    public ExecInstance? Find(string id) => _byId.GetValueOrDefault(id);

    public void Remove(string id) => _byId.TryRemove(id, out _);

    public IReadOnlyList<string> ForContainer(string containerId) =>
        [.. _byId.Values.Where(e => e.ContainerId == containerId).Select(e => e.Id)];

    /// <summary>One collection round; returns how many instances it dropped.</summary>
    public int Collect()
    {
        var dropped = 0;
        foreach (var (id, exec) in _byId)
        {
            if (exec.CanRemove)
            {
                if (_byId.TryRemove(id, out _))
                {
                    dropped++;
                }
            }
            else if (exec.ExitCode is not null)
            {
                exec.MarkRemovable();
            }
        }

        return dropped;
    }
}
