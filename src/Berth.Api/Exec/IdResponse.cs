namespace Berth.Api.Exec;

public sealed record IdResponse(string Id);
