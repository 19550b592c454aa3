using Berth.Core.Model;

namespace Berth.Images;

/// <summary>
/// An image as the engine knows it: identity (sha256 of its config JSON), names, and the parsed
/// config. <see cref="ChainId"/> names the top snapshot of its layer chain (empty for an image
/// without layers).
/// </summary>
public sealed record ImageRecord
{
    /// <summary>"sha256:&lt;64 hex&gt;".</summary>
    public required string Id { get; init; }

    /// <summary>Familiar form, e.g. "busybox:latest", "registry:5000/app:v1".</summary>
    public IReadOnlyList<string> RepoTags { get; init; } = [];

    public IReadOnlyList<string> RepoDigests { get; init; } = [];

    public string Parent { get; init; } = string.Empty;

    public string Comment { get; init; } = string.Empty;

    public string Author { get; init; } = string.Empty;

    public DateTimeOffset Created { get; init; }

    public required ImageConfig Config { get; init; }

    public string Architecture { get; init; } = "amd64";

    public string Os { get; init; } = "linux";

    public string? Variant { get; init; }

    public string DockerVersion { get; init; } = string.Empty;

    /// <summary>"sha256:..." uncompressed layer digests, base first.</summary>
    public IReadOnlyList<string> DiffIds { get; init; } = [];

    /// <summary>Chain ID of the last layer: the snapshot a container's rootfs sits on.</summary>
    public string ChainId { get; init; } = string.Empty;

    /// <summary>Unpacked size of all layers in bytes.</summary>
    public long Size { get; init; }
}
