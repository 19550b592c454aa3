using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api.Images;

namespace Berth.Api.Json;

/// <summary>Source-generated serializers for the image resource.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    Converters = [typeof(GoNullBooleanConverter), typeof(GoNullInt32Converter), typeof(GoNullInt64Converter), typeof(GoNullUInt16Converter), typeof(GoNullUInt64Converter)])]
[JsonSerializable(typeof(List<ImageSummary>))]
[JsonSerializable(typeof(ImageInspectResponse))]
[JsonSerializable(typeof(List<ImageHistoryResponseItem>))]
[JsonSerializable(typeof(List<ImageDeleteResponseItem>))]
[JsonSerializable(typeof(ImagesPruneResponse))]
[JsonSerializable(typeof(ImageStreamMessage))]
public sealed partial class ImagesJsonContext : JsonSerializerContext
{
}
