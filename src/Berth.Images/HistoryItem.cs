namespace Berth.Images;

/// <summary>One row of <c>docker history</c>, newest first.</summary>
public sealed record HistoryItem(string Id, DateTimeOffset? Created, string CreatedBy, IReadOnlyList<string>? Tags, long Size, string Comment);
