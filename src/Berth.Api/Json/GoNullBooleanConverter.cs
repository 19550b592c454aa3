using System.Text.Json;

namespace Berth.Api.Json;

/// <summary>bool: JSON null reads as false (Go's decoder leaves the field unset).</summary>
public sealed class GoNullBooleanConverter : GoNullConverter<bool>
{
    protected override bool ReadToken(ref Utf8JsonReader reader) => reader.GetBoolean();

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteBooleanValue(value);
    }
}
