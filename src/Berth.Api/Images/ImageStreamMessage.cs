using System.Text.Json.Serialization;

namespace Berth.Api.Images;

/// <summary>
/// A line of Docker's JSON message stream (load, import, create): {"stream": ...}, {"status": ...}
/// (with "progressDetail", "progress" and "id" for a progress bar), or {"errorDetail": {...},
/// "error": ...} for a failure after the response has started. Properties in jsonmessage's order.
/// </summary>
public sealed record ImageStreamMessage
{
    [JsonPropertyName("stream")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Stream { get; init; }

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    [JsonPropertyName("progressDetail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ImageStreamProgress? ProgressDetail { get; init; }

    /// <summary>The progress bar as dockerd renders it for a 200-column terminal (clients without a terminal print it).</summary>
    [JsonPropertyName("progress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Progress { get; init; }

    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    [JsonPropertyName("errorDetail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ImageStreamError? ErrorDetail { get; init; }

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}
