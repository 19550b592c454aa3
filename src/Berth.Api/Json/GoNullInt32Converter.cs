using System.Globalization;
using System.Text.Json;

namespace Berth.Api.Json;

/// <summary>int: JSON null reads as 0 (Go's decoder leaves the field unset).</summary>
public sealed class GoNullInt32Converter : GoNullConverter<int>
{
    protected override int ReadToken(ref Utf8JsonReader reader) => reader.GetInt32();

    protected override int Parse(string text)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new JsonException($"cannot read \"{text}\" as a number");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }
}
