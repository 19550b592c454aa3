using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api.Containers;
using Berth.Api.Exec;

namespace Berth.Api.Json;

/// <summary>Source-generated serializers for /containers, /exec and /info.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    Converters = [typeof(GoNullBooleanConverter), typeof(GoNullInt32Converter), typeof(GoNullInt64Converter), typeof(GoNullUInt16Converter), typeof(GoNullUInt64Converter)])]
[JsonSerializable(typeof(ContainerCreateRequest))]
[JsonSerializable(typeof(ContainerCreateResponse))]
[JsonSerializable(typeof(ContainerInspectResponse))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(ContainerWaitResponse))]
[JsonSerializable(typeof(ContainerTopResponse))]
[JsonSerializable(typeof(ContainerUpdateRequest))]
[JsonSerializable(typeof(ContainerUpdateResponse))]
[JsonSerializable(typeof(ContainerPruneResponse))]
[JsonSerializable(typeof(List<FilesystemChange>))]
[JsonSerializable(typeof(ContainerStatsResponse))]
[JsonSerializable(typeof(SystemInfo))]
[JsonSerializable(typeof(DiskUsage))]
[JsonSerializable(typeof(ExecConfig))]
[JsonSerializable(typeof(ExecStartRequest))]
[JsonSerializable(typeof(IdResponse))]
[JsonSerializable(typeof(ContainerConfig))]
[JsonSerializable(typeof(ExecInspectResponse))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class ContainersJsonContext : JsonSerializerContext
{
}
