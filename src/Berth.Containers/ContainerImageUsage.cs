using Berth.Images;

namespace Berth.Containers;

/// <summary>Tells the image service which containers use an image (rmi refuses to remove it).</summary>
public sealed class ContainerImageUsage(IContainerQueries containers) : IImageUsage
{
    public IReadOnlyList<string> ContainersUsing(string imageId) =>
        [.. containers.Snapshot.ById.Values.Where(c => c.ImageId == imageId).Select(c => c.Id)];

    public bool IsUsedByRunningContainer(string imageId) =>
        containers.Snapshot.ById.Values.Any(c => c.ImageId == imageId && c.State.Running);
}
