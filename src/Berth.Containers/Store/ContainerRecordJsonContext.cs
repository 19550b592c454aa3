using System.Text.Json.Serialization;
using Berth.Containers.Model;

namespace Berth.Containers.Store;

/// <summary>Source-generated serializer for container records on disk (config.v2.json).</summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Container))]
internal sealed partial class ContainerRecordJsonContext : JsonSerializerContext
{
}
