using System.Text.Json.Serialization;

namespace Berth.Api.Containers;

public sealed record BlkioStatEntry(
    [property: JsonPropertyName("major")] ulong Major,
    [property: JsonPropertyName("minor")] ulong Minor,
    [property: JsonPropertyName("op")] string Op,
    [property: JsonPropertyName("value")] ulong Value);
