namespace Berth.Api.Volumes;

/// <summary>Size and reference count of a volume (-1 when not computed, as Docker).</summary>
public sealed record VolumeUsageData(long Size, long RefCount);
