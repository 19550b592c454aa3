namespace Berth.Api.Containers;

public sealed record HealthcheckResult(string Start, string End, int ExitCode, string Output);
