using Berth.Networking.Ports;

namespace Berth.Networking.Model;

/// <summary>
/// A container's network sandbox (its netns and endpoints), stored under
/// &lt;data-root&gt;/network/sandboxes/&lt;container id&gt;.json before any kernel object is made,
/// so a crash at any point leaves a record that start-up reconciliation can undo.
/// </summary>
public sealed record SandboxRecord
{
    public required string ContainerId { get; init; }

    public required string ContainerName { get; init; }

    public string Hostname { get; init; } = string.Empty;

    public string Domainname { get; init; } = string.Empty;

    /// <summary>Bound netns file (&lt;exec-root&gt;/netns/&lt;id&gt;).</summary>
    public required string NetnsPath { get; init; }

    public string? HostsPath { get; init; }

    public string? ResolvConfPath { get; init; }

    public List<string> ExtraHosts { get; init; } = [];

    public List<string> Dns { get; init; } = [];

    public List<string> DnsSearch { get; init; } = [];

    public List<string> DnsOptions { get; init; } = [];

    public List<EndpointRecord> Endpoints { get; init; } = [];

    public List<PublishedPort> Ports { get; init; } = [];

    /// <summary>Whether the embedded DNS server listens in this sandbox (127.0.0.11).</summary>
    public bool EmbeddedDns { get; init; }
}
