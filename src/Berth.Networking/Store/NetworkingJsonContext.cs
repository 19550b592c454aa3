using System.Text.Json.Serialization;
using Berth.Networking.Model;

namespace Berth.Networking.Store;

/// <summary>Source-generated serializers for the networking state files.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(NetworkRecord))]
[JsonSerializable(typeof(SandboxRecord))]
internal sealed partial class NetworkingJsonContext : JsonSerializerContext
{
}
