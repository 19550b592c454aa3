using Berth.Containers;
using Berth.Core.Errors;
using Berth.Core.Model;
using Berth.Images;

namespace Berth.Daemon.Http.Containers;

/// <summary>Stands in when this build has no image store registered: creates fail with a clear 503.</summary>
internal sealed class MissingImages : IContainerImages
{
    private static BerthException Unavailable() => new(ErrorKind.Unavailable, "no image store is available in this build of berthd");

    public Task<ImageRecord> ResolveAsync(string nameOrId, CancellationToken cancellationToken) => throw Unavailable();

    public Task<RootfsMount> PrepareRootfsAsync(string containerId, ImageRecord image, CancellationToken cancellationToken) => throw Unavailable();

    public RootfsMount? GetRootfs(string containerId) => null;

    public Task RemoveRootfsAsync(string containerId, CancellationToken cancellationToken) => Task.CompletedTask;

    public long GetRootfsSize(string containerId) => 0;
}
