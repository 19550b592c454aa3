namespace Berth.Api.Containers;

public sealed record Health(string Status, int FailingStreak, IReadOnlyList<HealthcheckResult> Log);
