namespace Berth.Images.Model;

/// <summary>One entry of an image config's "history": how a layer (or an empty step) was made.</summary>
public sealed record ImageHistoryEntry(DateTimeOffset? Created, string CreatedBy, string Author, string Comment, bool EmptyLayer);
