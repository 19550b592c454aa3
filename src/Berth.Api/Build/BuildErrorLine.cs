using System.Text.Json.Serialization;

namespace Berth.Api.Build;

/// <summary>
/// A build failure as one JSON line: <c>message</c> for clients that read an error response,
/// <c>errorDetail</c> and <c>error</c> for clients that read the build's JSON message stream.
/// </summary>
public sealed record BuildErrorLine(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("errorDetail")] BuildErrorDetail ErrorDetail,
    [property: JsonPropertyName("error")] string Error);

public sealed record BuildErrorDetail(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message);
