using System.Text.Json.Serialization;

namespace Berth.Api.Images;

/// <summary>GET /images/{name}/json.</summary>
public sealed record ImageInspectResponse
{
    public required string Id { get; init; }

    public IReadOnlyList<string> RepoTags { get; init; } = [];

    public IReadOnlyList<string> RepoDigests { get; init; } = [];

    public string Parent { get; init; } = string.Empty;

    public string Comment { get; init; } = string.Empty;

    /// <summary>RFC 3339 with nanoseconds; omitted when the image has no creation time.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Created { get; init; }

    /// <summary>Removed in API 1.45.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Container { get; init; }

    /// <summary>Removed in API 1.45.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ImageInspectConfig? ContainerConfig { get; init; }

    public string DockerVersion { get; init; } = string.Empty;

    public string Author { get; init; } = string.Empty;

    public required ImageInspectConfig Config { get; init; }

    public string Architecture { get; init; } = string.Empty;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Variant { get; init; }

    public string Os { get; init; } = string.Empty;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OsVersion { get; init; }

    public long Size { get; init; }

    /// <summary>Removed in API 1.44.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? VirtualSize { get; init; }

    public required GraphDriverData GraphDriver { get; init; }

    public required ImageRootFs RootFS { get; init; }

    public ImageMetadata Metadata { get; init; } = new();
}
