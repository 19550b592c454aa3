namespace Berth.Api.Containers;

public sealed class DeviceMapping
{
    public string? PathOnHost { get; init; }

    public string? PathInContainer { get; init; }

    public string? CgroupPermissions { get; init; }
}
