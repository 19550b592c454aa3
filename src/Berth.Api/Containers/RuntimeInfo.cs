using System.Text.Json.Serialization;

namespace Berth.Api.Containers;

public sealed record RuntimeInfo([property: JsonPropertyName("path")] string Path);
