using Berth.Core.Model;
using Berth.Images;

namespace Berth.Containers;

/// <summary>The real image store behind <see cref="IContainerImages"/>.</summary>
public sealed class ImageServiceImages(ImageService images) : IContainerImages
{
    public Task<ImageRecord> ResolveAsync(string nameOrId, CancellationToken cancellationToken) => images.ResolveAsync(nameOrId, cancellationToken);

    public Task<RootfsMount> PrepareRootfsAsync(string containerId, ImageRecord image, CancellationToken cancellationToken) =>
        images.PrepareRootfsAsync(containerId, image, cancellationToken);

    public RootfsMount? GetRootfs(string containerId) => images.GetRootfs(containerId);

    public Task RemoveRootfsAsync(string containerId, CancellationToken cancellationToken) => images.RemoveRootfsAsync(containerId, cancellationToken);

    public long GetRootfsSize(string containerId) => images.GetRootfsSize(containerId);
}
