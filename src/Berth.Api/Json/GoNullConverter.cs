using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Api.Json;

/// <summary>
/// Reads a JSON <c>null</c> into a value-type field as Go's encoding/json does: the field stays
/// unset (its zero value). dockerd decodes request bodies that way, so clients send nulls freely
/// (docker-py's Healthcheck with <c>"StartPeriod": null</c>, Docker.DotNet's unset numbers);
/// System.Text.Json alone refuses them as invalid JSON. Numbers may also come as strings, as the
/// wire contexts' <c>AllowReadingFromString</c> allows for the other types.
/// </summary>
public abstract class GoNullConverter<T> : JsonConverter<T>
    where T : struct
{
    public override bool HandleNull => true;

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => default,
        JsonTokenType.String => Parse(reader.GetString() ?? string.Empty),
        _ => ReadToken(ref reader),
    };

    /// <summary>The value from its own JSON token (the reader throws on a token of another kind).</summary>
    protected abstract T ReadToken(ref Utf8JsonReader reader);

    /// <summary>The value from a JSON string (numbers only).</summary>
    protected virtual T Parse(string text) => throw new JsonException($"cannot unmarshal string into a value of type {typeof(T).Name}");
}
