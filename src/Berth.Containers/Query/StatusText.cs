using Berth.Core.Text;

using Berth.Containers.Model;

namespace Berth.Containers.Query;

/// <summary>The Status column of docker ps: "Up 5 seconds (healthy)", "Exited (0) 3 minutes ago", "Created", ...</summary>
public static class StatusText
{
    public static string For(ContainerState s, DateTimeOffset now)
    {
        if (s.Running)
        {
            var up = HumanDuration.Format(now - (s.StartedAt ?? now));
            if (s.Paused)
            {
                return $"Up {up} (Paused)";
            }

            if (s.Restarting)
            {
                return $"Restarting ({s.ExitCode}) {HumanDuration.Format(now - (s.FinishedAt ?? now))} ago";
            }

            if (s.Health is { } h)
            {
                return $"Up {up} ({(h.Status == HealthState.Starting ? "health: starting" : h.Status)})";
            }

            return $"Up {up}";
        }

        if (s.RemovalInProgress)
        {
            return "Removal In Progress";
        }

        if (s.Dead)
        {
            return "Dead";
        }

        if (s.StartedAt is null)
        {
            return "Created";
        }

        if (s.FinishedAt is null)
        {
            return string.Empty;
        }

        return $"Exited ({s.ExitCode}) {HumanDuration.Format(now - s.FinishedAt.Value)} ago";
    }
}
