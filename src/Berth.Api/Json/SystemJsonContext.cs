using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api.Engine;

namespace Berth.Api.Json;

/// <summary>
/// Source-generated serializers for the system resource (errors, version, info, events) and
/// common shapes. Each resource has its own context (ImagesJsonContext, ContainersJsonContext,
/// ...) with the same options; <see cref="ApiJson"/> chains them together.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    Converters = [typeof(GoNullBooleanConverter), typeof(GoNullInt32Converter), typeof(GoNullInt64Converter), typeof(GoNullUInt16Converter), typeof(GoNullUInt64Converter)])]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(EventMessage))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, bool>>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class SystemJsonContext : JsonSerializerContext
{
}
