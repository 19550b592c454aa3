using Berth.Core.Model;
using Berth.Images;

namespace Berth.Containers;

/// <summary>
/// What the container service needs from the image store: resolve an image and manage each
/// container's writable snapshot. The daemon adapts <see cref="ImageService"/> to it; component
/// tests use an in-memory implementation.
/// </summary>
public interface IContainerImages
{
    /// <summary>Throws BerthException(NotFound, "No such image: x") when absent.</summary>
    Task<ImageRecord> ResolveAsync(string nameOrId, CancellationToken cancellationToken);

    Task<RootfsMount> PrepareRootfsAsync(string containerId, ImageRecord image, CancellationToken cancellationToken);

    RootfsMount? GetRootfs(string containerId);

    Task RemoveRootfsAsync(string containerId, CancellationToken cancellationToken);

    long GetRootfsSize(string containerId);
}
