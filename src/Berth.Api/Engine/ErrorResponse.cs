using System.Text.Json.Serialization;

namespace Berth.Api.Engine;

/// <summary>Docker's error body: <c>{"message": "..."}</c>.</summary>
public sealed record ErrorResponse([property: JsonPropertyName("message")] string Message);
