namespace Berth.Platform.Net;

/// <summary>Receives one message of a netlink dump: its type and its payload after nlmsghdr.</summary>
internal delegate void NetlinkMessageHandler(ushort type, ReadOnlySpan<byte> payload);
