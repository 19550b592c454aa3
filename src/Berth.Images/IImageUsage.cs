namespace Berth.Images;

/// <summary>
/// Answers "which containers use this image?" so that <c>rmi</c> can refuse with 409. Implemented
/// by the container service and wired in the daemon's composition root; images never reference
/// containers.
/// </summary>
public interface IImageUsage
{
    /// <summary>IDs of containers (running or not) created from the image with this ID.</summary>
    IReadOnlyList<string> ContainersUsing(string imageId);

    /// <summary>True when a running container uses the image (rmi -f still refuses those).</summary>
    bool IsUsedByRunningContainer(string imageId);

    /// <summary>
    /// The ID of a running container using the image, for Docker's conflict message. The default
    /// picks the first user when any is running; implementations that know better override it.
    /// </summary>
    string? RunningContainerUsing(string imageId) =>
        IsUsedByRunningContainer(imageId) ? ContainersUsing(imageId).FirstOrDefault() : null;
}
