namespace Berth.Containers.Model;

/// <summary>State.Health: status (starting, healthy, unhealthy), consecutive failures and the last probes.</summary>
public sealed record HealthState
{
    public const string Starting = "starting";
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string NoHealthcheck = "none";

    public string Status { get; init; } = Starting;

    public int FailingStreak { get; init; }

    public IReadOnlyList<HealthProbeResult> Log { get; init; } = [];
}
