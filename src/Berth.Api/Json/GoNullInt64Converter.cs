using System.Globalization;
using System.Text.Json;

namespace Berth.Api.Json;

/// <summary>long: JSON null reads as 0 (Go's decoder leaves the field unset).</summary>
public sealed class GoNullInt64Converter : GoNullConverter<long>
{
    protected override long ReadToken(ref Utf8JsonReader reader) => reader.GetInt64();

    protected override long Parse(string text)
    {
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new JsonException($"cannot read \"{text}\" as a number");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }
}
