using System.Text.Json.Serialization;

namespace Berth.Api.Images;

public sealed record ImageStreamError([property: JsonPropertyName("message")] string Message);
