using System.Text.Json.Serialization;

namespace Berth.Api.Exec;

public sealed record ProcessConfig(
    [property: JsonPropertyName("arguments")] IReadOnlyList<string> Arguments,
    [property: JsonPropertyName("entrypoint")] string Entrypoint,
    [property: JsonPropertyName("privileged")] bool Privileged,
    [property: JsonPropertyName("tty")] bool Tty,
    [property: JsonPropertyName("user")] string User);
