namespace Berth.Containers.Model;

/// <summary>One healthcheck probe: when it ran, its exit code (-1 when it could not run or timed out) and output.</summary>
public sealed record HealthProbeResult(DateTimeOffset Start, DateTimeOffset End, int ExitCode, string Output);
