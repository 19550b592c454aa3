namespace Berth.Images;

/// <summary>
/// A layer of a loaded archive being registered (dockerd's "Loading layer" line): the first 12 hex
/// digits of its diff ID, and bytes of its blob in the archive done out of the total.
/// </summary>
public sealed record LayerLoadProgress(string LayerId, long Current, long Total);
