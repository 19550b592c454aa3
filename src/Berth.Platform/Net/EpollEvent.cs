using System.Runtime.InteropServices;

namespace Berth.Platform.Net;

/// <summary>struct epoll_event (packed on x86-64: 4-byte events, 8-byte data).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct EpollEvent
{
    public uint Events;
    public ulong Data;
}
