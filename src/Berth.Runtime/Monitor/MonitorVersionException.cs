namespace Berth.Runtime.Monitor;

/// <summary>
/// A container's monitor speaks a version of the monitor contract this build does not (it was
/// started by a newer berth). Nothing of it is touched: neither its processes nor its state.
/// </summary>
public sealed class MonitorVersionException : Exception
{
    public MonitorVersionException()
    {
    }

    public MonitorVersionException(string message)
        : base(message)
    {
    }

    public MonitorVersionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MonitorVersionException(string containerId, string version)
        : base($"container {containerId} is run by a monitor of version {version}, and this berth speaks versions {MonitorConfig.OldestVersion} to {MonitorConfig.CurrentVersion} only: manage it with the berthd that started it, or upgrade this one")
    {
        ContainerId = containerId;
    }

    public string ContainerId { get; } = string.Empty;
}
