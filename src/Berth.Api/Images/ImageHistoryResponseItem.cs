namespace Berth.Api.Images;

/// <summary>One element of GET /images/{name}/history.</summary>
public sealed record ImageHistoryResponseItem(string Id, long Created, string CreatedBy, IReadOnlyList<string>? Tags, long Size, string Comment);
