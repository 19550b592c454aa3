using Berth.Volumes;

namespace Berth.Containers;

/// <summary>Answers "who uses this volume" from the container records (any state), as Docker's reference counts.</summary>
public sealed class ContainerVolumeUsage(IContainerQueries containers) : IVolumeUsage
{
    public IReadOnlyList<string> ContainersUsing(string volumeName) =>
        [.. containers.Snapshot.ById.Values
            .Where(c => c.Mounts.Any(m => m.Type == "volume" && m.Name == volumeName))
            .Select(c => c.Id)];
}
