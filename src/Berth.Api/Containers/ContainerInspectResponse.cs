using System.Text.Json.Serialization;

namespace Berth.Api.Containers;

/// <summary>GET /containers/{id}/json.</summary>
public sealed class ContainerInspectResponse
{
    public required string Id { get; init; }

    public required string Created { get; init; }

    public required string Path { get; init; }

    public required IReadOnlyList<string> Args { get; init; }

    public required ContainerState State { get; init; }

    public required string Image { get; init; }

    public string ResolvConfPath { get; init; } = string.Empty;

    public string HostnamePath { get; init; } = string.Empty;

    public string HostsPath { get; init; } = string.Empty;

    public string LogPath { get; init; } = string.Empty;

    public required string Name { get; init; }

    public int RestartCount { get; init; }

    public string Driver { get; init; } = "overlay2";

    public string Platform { get; init; } = "linux";

    public string MountLabel { get; init; } = string.Empty;

    public string ProcessLabel { get; init; } = string.Empty;

    public string AppArmorProfile { get; init; } = string.Empty;

    public IReadOnlyList<string>? ExecIDs { get; init; }

    public required HostConfig HostConfig { get; init; }

    public required GraphDriverData GraphDriver { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRw { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRootFs { get; init; }

    public required IReadOnlyList<MountPoint> Mounts { get; init; }

    public required ContainerConfig Config { get; init; }

    public required NetworkSettings NetworkSettings { get; init; }
}
