using System.Text.Json.Serialization;

namespace Berth.Api.Engine;

/// <summary>One <c>/events</c> message. Docker sends the legacy lower-case fields as well.</summary>
public sealed record EventMessage
{
    public required string Type { get; init; }

    public required string Action { get; init; }

    public required EventActor Actor { get; init; }

    [JsonPropertyName("scope")]
    public string Scope { get; init; } = "local";

    [JsonPropertyName("time")]
    public long Time { get; init; }

    [JsonPropertyName("timeNano")]
    public long TimeNano { get; init; }

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    [JsonPropertyName("from")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? From { get; init; }
}

public sealed record EventActor(string ID, IReadOnlyDictionary<string, string> Attributes);
