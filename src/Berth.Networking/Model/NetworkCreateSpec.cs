namespace Berth.Networking.Model;

/// <summary>A network to create (POST /networks/create, after the HTTP edge has mapped it).</summary>
public sealed record NetworkCreateSpec
{
    public required string Name { get; init; }

    public string Driver { get; init; } = "bridge";

    public bool Internal { get; init; }

    public bool Attachable { get; init; }

    public bool Ingress { get; init; }

    public bool EnableIPv6 { get; init; }

    public bool ConfigOnly { get; init; }

    public string? ConfigFrom { get; init; }

    public string Scope { get; init; } = string.Empty;

    public string IpamDriver { get; init; } = "default";

    public IReadOnlyDictionary<string, string> IpamOptions { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<IpamPoolSpec> IpamConfig { get; init; } = [];

    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
