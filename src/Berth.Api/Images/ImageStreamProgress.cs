using System.Text.Json.Serialization;

namespace Berth.Api.Images;

/// <summary>jsonmessage.JSONProgress: the "progressDetail" of a message stream line.</summary>
public sealed record ImageStreamProgress
{
    [JsonPropertyName("current")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Current { get; init; }

    [JsonPropertyName("total")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Total { get; init; }
}
