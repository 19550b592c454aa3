using Berth.Images.Store;

namespace Berth.Images;

/// <summary>
/// An image as list and inspect show it: the record, the stored entry, and figures computed on
/// request (shared size, container count; -1 when not computed, as Docker reports).
/// </summary>
public sealed record ImageView(ImageRecord Record, ImageEntry Entry)
{
    public long SharedSize { get; init; } = -1;

    public int Containers { get; init; } = -1;

    /// <summary>overlay2-style GraphDriver data: LowerDir, MergedDir, UpperDir, WorkDir.</summary>
    public IReadOnlyDictionary<string, string> GraphDriverData { get; init; } = new Dictionary<string, string>();
}
