namespace Berth.Containers.Model;

public sealed record DeviceMapping(string PathOnHost, string PathInContainer, string CgroupPermissions);
