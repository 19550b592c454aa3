using Berth.Core.Model;

namespace Berth.Images;

/// <summary>
/// The image subsystem's entry point. The members below are the contract the container service
/// relies on; everything else (load, save, import, tag, rmi, prune, history, list) lives here too.
/// </summary>
public sealed partial class ImageService
{
    /// <summary>
    /// Finds an image by reference ("busybox", "busybox:latest", "docker.io/library/busybox"), by
    /// full or short ID (with or without "sha256:"), or by digest reference.
    /// Throws BerthException(NotFound, "No such image: {nameOrId}") when absent.
    /// </summary>
    public Task<ImageRecord> ResolveAsync(string nameOrId, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>
    /// Creates the writable snapshot <paramref name="key"/> (a container ID) on top of the image's
    /// layer chain and returns how to mount it. Idempotent for an existing key.
    /// </summary>
    public Task<RootfsMount> PrepareRootfsAsync(string key, ImageRecord image, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>The mount of an existing writable snapshot, or null when it does not exist.</summary>
    public RootfsMount? GetRootfs(string key) => throw new NotImplementedException();

    /// <summary>Removes a writable snapshot and its directories; no error when absent.</summary>
    public Task RemoveRootfsAsync(string key, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>Bytes used by the writable layer (for ps -s / SizeRw).</summary>
    public long GetRootfsSize(string key) => throw new NotImplementedException();
}
