namespace Berth.Runtime.Logging;

/// <summary>Docker's log-opt mode: whether a container waits for its log driver or loses lines.</summary>
public enum LogMode
{
    Blocking,
    NonBlocking,
}

/// <summary>A container's log configuration once validated: the driver, rotation and delivery mode.</summary>
public sealed record LogSettings(LogDriver Driver, LogRotation Rotation, LogMode Mode, long MaxBufferSize)
{
    /// <summary>Docker's default max-buffer-size for mode=non-blocking (logger.defaultRingMaxSize, 1e6 bytes).</summary>
    public const long DefaultMaxBufferSize = 1_000_000;
}
