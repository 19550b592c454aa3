using Berth.Networking.Model;

namespace Berth.Containers.Model;

/// <summary>
/// A container as the engine records it: identity, configuration, and state. Immutable: every
/// change produces a new value that is persisted and then published in the read model, so list
/// and inspect never see a half-made change.
/// </summary>
public sealed record Container
{
    private static readonly IReadOnlyDictionary<string, EndpointRequest> NoEndpoints = new Dictionary<string, EndpointRequest>(StringComparer.Ordinal);

    private readonly IReadOnlyDictionary<string, EndpointRequest> _networkEndpoints = NoEndpoints;

    /// <summary>64 hex characters.</summary>
    public required string Id { get; init; }

    /// <summary>Name without the leading slash.</summary>
    public required string Name { get; init; }

    public required DateTimeOffset Created { get; init; }

    public required string Path { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    public required ContainerConfig Config { get; init; }

    public required HostConfig HostConfig { get; init; }

    /// <summary>"sha256:..." of the image the container was created from.</summary>
    public required string ImageId { get; init; }

    public ContainerState State { get; init; } = new();

    public int RestartCount { get; init; }

    /// <summary>Set by stop/kill from a user; unless-stopped does not restart such a container, even after a daemon restart.</summary>
    public bool HasBeenManuallyStopped { get; init; }

    public string Platform { get; init; } = "linux";

    public string Driver { get; init; } = "overlay2";

    /// <summary>The container's directory (config, hosts, resolv.conf, hostname, logs).</summary>
    public required string Directory { get; init; }

    public required string LogPath { get; init; }

    public string ResolvConfPath { get; init; } = string.Empty;

    public string HostnamePath { get; init; } = string.Empty;

    public string HostsPath { get; init; } = string.Empty;

    public IReadOnlyList<MountPoint> Mounts { get; init; } = [];

    /// <summary>
    /// NetworkingConfig.EndpointsConfig by network name: the networks the container joins at start
    /// (its NetworkMode network first) with their aliases, --ip and links. Changed by network
    /// connect/disconnect.
    /// </summary>
    /// <remarks>
    /// Never null, also for records written before this field existed: the source-generated
    /// deserializer sets every init-only property, missing ones to null.
    /// </remarks>
    public IReadOnlyDictionary<string, EndpointRequest> NetworkEndpoints
    {
        get => _networkEndpoints;
        init => _networkEndpoints = value ?? NoEndpoints;
    }

    /// <summary>What networking gave the container at its last start; addresses and ports are cleared when it stops.</summary>
    public ContainerNetworkState? Network { get; init; }

    /// <summary>Exec instances that belong to the container and have not been cleaned up (transient).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> ExecIds { get; init; } = [];
}
