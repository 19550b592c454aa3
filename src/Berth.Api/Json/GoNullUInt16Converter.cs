using System.Globalization;
using System.Text.Json;

namespace Berth.Api.Json;

/// <summary>ushort: JSON null reads as 0 (Go's decoder leaves the field unset).</summary>
public sealed class GoNullUInt16Converter : GoNullConverter<ushort>
{
    protected override ushort ReadToken(ref Utf8JsonReader reader) => reader.GetUInt16();

    protected override ushort Parse(string text)
    {
        if (!ushort.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new JsonException($"cannot read \"{text}\" as a number");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, ushort value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }
}
