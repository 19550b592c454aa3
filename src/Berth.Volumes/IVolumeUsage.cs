namespace Berth.Volumes;

/// <summary>
/// Who uses a volume: the container service answers from its records, so reference counts are
/// never mirrored state and survive a daemon crash by construction.
/// </summary>
public interface IVolumeUsage
{
    /// <summary>IDs of the containers (any state) that mount the volume.</summary>
    IReadOnlyList<string> ContainersUsing(string volumeName);
}
