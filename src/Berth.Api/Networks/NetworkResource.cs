using System.Text.Json.Serialization;

namespace Berth.Api.Networks;

/// <summary>GET /networks/{id} and the items of GET /networks (Docker's network.Inspect / NetworkResource).</summary>
public sealed record NetworkResource
{
    public required string Name { get; init; }

    public required string Id { get; init; }

    /// <summary>RFC 3339 with nanoseconds, as Go writes time.Time.</summary>
    public required string Created { get; init; }

    public string Scope { get; init; } = "local";

    public required string Driver { get; init; }

    /// <summary>API 1.47+ only (null = omitted).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? EnableIPv4 { get; init; }

    public bool EnableIPv6 { get; init; }

    public required NetworkIpam IPAM { get; init; }

    public bool Internal { get; init; }

    public bool Attachable { get; init; }

    public bool Ingress { get; init; }

    public ConfigReference ConfigFrom { get; init; } = new();

    public bool ConfigOnly { get; init; }

    public Dictionary<string, NetworkContainer> Containers { get; init; } = [];

    public Dictionary<string, string>? Options { get; init; } = [];

    public Dictionary<string, string>? Labels { get; init; } = [];
}
