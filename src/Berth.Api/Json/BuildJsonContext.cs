using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api.Build;

namespace Berth.Api.Json;

/// <summary>Source-generated serializers for the build resource.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    Converters = [typeof(GoNullBooleanConverter), typeof(GoNullInt32Converter), typeof(GoNullInt64Converter), typeof(GoNullUInt16Converter), typeof(GoNullUInt64Converter)])]
[JsonSerializable(typeof(BuildCachePruneResponse))]
[JsonSerializable(typeof(BuildErrorLine))]
public sealed partial class BuildJsonContext : JsonSerializerContext
{
}
