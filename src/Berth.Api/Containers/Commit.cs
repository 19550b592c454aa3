namespace Berth.Api.Containers;

public sealed record Commit(string ID, string Expected);
