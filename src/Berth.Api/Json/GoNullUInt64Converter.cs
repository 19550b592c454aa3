using System.Globalization;
using System.Text.Json;

namespace Berth.Api.Json;

/// <summary>ulong: JSON null reads as 0 (Go's decoder leaves the field unset).</summary>
public sealed class GoNullUInt64Converter : GoNullConverter<ulong>
{
    protected override ulong ReadToken(ref Utf8JsonReader reader) => reader.GetUInt64();

    protected override ulong Parse(string text)
    {
        if (!ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new JsonException($"cannot read \"{text}\" as a number");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, ulong value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }
}
