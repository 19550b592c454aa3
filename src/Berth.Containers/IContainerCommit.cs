using Berth.Containers.Model;

namespace Berth.Containers;

/// <summary>POST /commit: a container's writable layer becomes an image, under the container's lock.</summary>
public interface IContainerCommit : IContainerLookup
{
    /// <summary>
    /// docker commit: runs <paramref name="makeImage"/> under the container's lock (pausing a
    /// running container meanwhile when <paramref name="pause"/>), so the container's own exit
    /// cannot change its state halfway.
    /// </summary>
    Task<string> CommitAsync(string idOrName, bool pause, string comment, Func<Container, CancellationToken, Task<string>> makeImage, CancellationToken cancellationToken);
}
