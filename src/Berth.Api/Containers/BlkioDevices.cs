#pragma warning disable SA1402 // the two device-limit shapes of the Engine API belong together
namespace Berth.Api.Containers;

/// <summary>A relative block IO weight for one device (<c>--blkio-weight-device /dev/sda:200</c>).</summary>
public sealed class WeightDevice
{
    public string? Path { get; init; }

    public ushort Weight { get; init; }
}

/// <summary>A block IO rate limit for one device, in bytes or operations per second (<c>--device-read-bps</c> and friends).</summary>
public sealed class ThrottleDevice
{
    public string? Path { get; init; }

    public ulong Rate { get; init; }
}
