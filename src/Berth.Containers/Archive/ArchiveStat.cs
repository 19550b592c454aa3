namespace Berth.Containers.Archive;

/// <summary>What X-Docker-Container-Path-Stat carries (mode in Go's os.FileMode bits).</summary>
public sealed record ArchiveStat(string Name, long Size, uint Mode, DateTimeOffset Mtime, string LinkTarget);
