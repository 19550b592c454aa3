using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Berth.Platform.Net;

/// <summary>
/// A blocking NETLINK_ROUTE socket. It acts on the network namespace of the thread that opened
/// it, for its whole life, whichever thread later uses it; not thread-safe (one owner at a time).
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    public const ushort NLM_F_REQUEST = 1;
    public const ushort NLM_F_MULTI = 2;
    public const ushort NLM_F_ACK = 4;
    public const ushort NLM_F_DUMP = 0x300;
    public const ushort NLM_F_REPLACE = 0x100;
    public const ushort NLM_F_EXCL = 0x200;
    public const ushort NLM_F_CREATE = 0x400;
    private const ushort NLMSG_ERROR = 2;
    private const ushort NLMSG_DONE = 3;
    private const ushort NLM_F_ACK_TLVS = 0x200;

    private readonly byte[] _rx = new byte[64 * 1024];
    private int _fd;
    private uint _seq = (uint)Environment.TickCount;

    private NetlinkSocket(int fd)
    {
        _fd = fd;
    }

    public static NetlinkSocket Open()
    {
        var fd = NetLibc.socket(NetLibc.AF_NETLINK, NetLibc.SOCK_RAW | NetLibc.SOCK_CLOEXEC, NetLibc.NETLINK_ROUTE);
        if (fd < 0)
        {
            throw new NetlinkException("socket(AF_NETLINK)", Marshal.GetLastPInvokeError(), null);
        }

        var one = 1;
        NetLibc.setsockopt(fd, NetLibc.SOL_NETLINK, NetLibc.NETLINK_EXT_ACK, &one, 4);
        NetLibc.setsockopt(fd, NetLibc.SOL_NETLINK, NetLibc.NETLINK_CAP_ACK, &one, 4);
        Span<byte> sa = stackalloc byte[12];
        sa.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(sa, NetLibc.AF_NETLINK);
        fixed (byte* p = sa)
        {
            if (NetLibc.bind(fd, p, 12) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                NetLibc.close(fd);
                throw new NetlinkException("bind(AF_NETLINK)", errno, null);
            }
        }

        return new NetlinkSocket(fd);
    }

    /// <summary>Sends a request with NLM_F_ACK and waits for the kernel's answer; throws on a negative errno.</summary>
    public void Execute(NetlinkMessageBuilder message, string operation) => Exchange(message, operation, null);

    /// <summary>Sends a dump request and hands every answer message (type, payload) to <paramref name="onMessage"/>.</summary>
    public void Dump(NetlinkMessageBuilder message, string operation, NetlinkMessageHandler onMessage) => Exchange(message, operation, onMessage);

    /// <summary>One request and its answers up to NLMSG_DONE or the acknowledgement (NLMSG_ERROR, errno 0 or not).</summary>
    private void Exchange(NetlinkMessageBuilder message, string operation, NetlinkMessageHandler? onMessage)
    {
        var seq = ++_seq;
        Send(message.Finish(seq), operation);
        while (true)
        {
            var n = Receive(operation);
            var buf = _rx.AsSpan(0, n);
            while (buf.Length >= 16)
            {
                var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(buf);
                var type = BinaryPrimitives.ReadUInt16LittleEndian(buf[4..]);
                var flags = BinaryPrimitives.ReadUInt16LittleEndian(buf[6..]);
                var mseq = BinaryPrimitives.ReadUInt32LittleEndian(buf[8..]);
                if (len < 16 || len > buf.Length)
                {
                    break;
                }

                if (mseq == seq)
                {
                    if (type == NLMSG_DONE)
                    {
                        return;
                    }

                    if (type == NLMSG_ERROR)
                    {
                        ThrowIfError(buf[..len], flags, operation);
                        return;
                    }

                    onMessage?.Invoke(type, buf[16..len]);
                }

                buf = buf[Math.Min(NetlinkMessageBuilder.Align(len), buf.Length)..];
            }
        }
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            NetLibc.close(fd);
        }
    }

    private void Send(ReadOnlySpan<byte> data, string operation)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        fixed (byte* p = data)
        {
            while (true)
            {
                var r = NetLibc.send(_fd, p, data.Length, 0);
                if (r >= 0)
                {
                    return;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != NetLibc.EINTR)
                {
                    throw new NetlinkException(operation, errno, null);
                }
            }
        }
    }

    private int Receive(string operation)
    {
        fixed (byte* p = _rx)
        {
            while (true)
            {
                var r = NetLibc.recv(_fd, p, _rx.Length, 0);
                if (r >= 0)
                {
                    return (int)r;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != NetLibc.EINTR)
                {
                    throw new NetlinkException(operation, errno, null);
                }
            }
        }
    }

    private static void ThrowIfError(ReadOnlySpan<byte> msg, ushort flags, string operation)
    {
        var error = BinaryPrimitives.ReadInt32LittleEndian(msg[16..]);
        if (error == 0)
        {
            return;
        }

        string? text = null;
        if ((flags & NLM_F_ACK_TLVS) != 0 && msg.Length > 16 + 4 + 16)
        {
            // With NETLINK_CAP_ACK only the original header follows the errno, then the TLVs.
            var tlvs = new NetlinkAttributes(msg[(16 + 4 + 16)..]);
            if (tlvs.TryGet(1, out var m))
            {
                var nul = m.IndexOf((byte)0);
                text = Encoding.UTF8.GetString(nul >= 0 ? m[..nul] : m);
            }
        }

        throw new NetlinkException(operation, -error, text);
    }
}
