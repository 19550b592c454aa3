using System.Text.Json.Serialization;

namespace Berth.Volumes;

/// <summary>Source-generated serializer for the volume metadata file (volumes/NAME/volume.json).</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(Volume))]
internal sealed partial class VolumeRecordJsonContext : JsonSerializerContext
{
}
