using System.Text.Json.Serialization;

namespace Berth.Api.Images;

public sealed record ImageMetadata
{
    /// <summary>RFC 3339; omitted when never tagged.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LastTagTime { get; init; }
}
