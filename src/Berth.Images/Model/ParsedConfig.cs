using Berth.Core.Model;

namespace Berth.Images.Model;

/// <summary>An image config (OCI or Docker v2 schema 2 — the same JSON shape) as Berth reads it.</summary>
public sealed record ParsedConfig
{
    public required ImageConfig Config { get; init; }

    public LegacyConfigFields Legacy { get; init; } = new();

    public string Architecture { get; init; } = string.Empty;

    public string Os { get; init; } = string.Empty;

    public string? Variant { get; init; }

    public string? OsVersion { get; init; }

    public DateTimeOffset? Created { get; init; }

    public string Author { get; init; } = string.Empty;

    public string Comment { get; init; } = string.Empty;

    public string DockerVersion { get; init; } = string.Empty;

    public string Parent { get; init; } = string.Empty;

    public IReadOnlyList<string> DiffIds { get; init; } = [];

    public IReadOnlyList<ImageHistoryEntry> History { get; init; } = [];
}
