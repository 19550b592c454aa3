namespace Berth.Images.Formats;

/// <summary>One element of a docker-archive's manifest.json.</summary>
public sealed record ArchiveManifestEntry(string Config, IReadOnlyList<string> RepoTags, IReadOnlyList<string> Layers);
