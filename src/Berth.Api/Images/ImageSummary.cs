using System.Text.Json.Serialization;

namespace Berth.Api.Images;

/// <summary>One element of GET /images/json.</summary>
public sealed record ImageSummary
{
    public required string Id { get; init; }

    public string ParentId { get; init; } = string.Empty;

    public IReadOnlyList<string> RepoTags { get; init; } = [];

    public IReadOnlyList<string> RepoDigests { get; init; } = [];

    /// <summary>Unix seconds.</summary>
    public long Created { get; init; }

    public long Size { get; init; }

    public long SharedSize { get; init; } = -1;

    /// <summary>Removed in API 1.44; null omits it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? VirtualSize { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    public int Containers { get; init; } = -1;
}
