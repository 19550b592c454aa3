using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api.Volumes;

namespace Berth.Api.Json;

/// <summary>Source-generated serializers for the volume resource.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    Converters = [typeof(GoNullBooleanConverter), typeof(GoNullInt32Converter), typeof(GoNullInt64Converter), typeof(GoNullUInt16Converter), typeof(GoNullUInt64Converter)])]
[JsonSerializable(typeof(Volume))]
[JsonSerializable(typeof(VolumeListResponse))]
[JsonSerializable(typeof(VolumeCreateOptions))]
[JsonSerializable(typeof(VolumesPruneResponse))]
[JsonSerializable(typeof(SystemDataUsageResponse))]
public sealed partial class VolumesJsonContext : JsonSerializerContext
{
}
