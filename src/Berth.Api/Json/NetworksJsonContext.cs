using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api.Networks;

namespace Berth.Api.Json;

/// <summary>Source-generated serializers for the /networks resource.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    Converters = [typeof(GoNullBooleanConverter), typeof(GoNullInt32Converter), typeof(GoNullInt64Converter), typeof(GoNullUInt16Converter), typeof(GoNullUInt64Converter)])]
[JsonSerializable(typeof(NetworkResource))]
[JsonSerializable(typeof(List<NetworkResource>))]
[JsonSerializable(typeof(NetworkCreateRequest))]
[JsonSerializable(typeof(NetworkCreateResponse))]
[JsonSerializable(typeof(NetworkConnectRequest))]
[JsonSerializable(typeof(NetworkDisconnectRequest))]
[JsonSerializable(typeof(NetworkPruneResponse))]
[JsonSerializable(typeof(EndpointSettings))]
public sealed partial class NetworksJsonContext : JsonSerializerContext
{
}
