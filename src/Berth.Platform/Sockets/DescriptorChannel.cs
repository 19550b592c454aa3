using Berth.Platform.Native;

namespace Berth.Platform.Sockets;

/// <summary>
/// Messages over unix sockets that carry bytes and, as SCM_RIGHTS ancillary data, open
/// descriptors: a SOCK_SEQPACKET pair lets one process hand another its arguments and stdio after
/// the receiver has already started (the spare monitor), and <see cref="Receive"/> also takes
/// the pty runc sends to a console socket. Raw libc because .NET sockets cannot pass descriptors.
/// </summary>
public static unsafe class DescriptorChannel
{
    /// <summary>Most descriptors one message carries.</summary>
    public const int MaxDescriptors = 8;

    private const int HeaderSize = 16; // struct cmsghdr { size_t len; int level; int type; }
    private const int MSG_CTRUNC = 0x8;
    private const int MSG_NOSIGNAL = 0x4000;
    private const int MSG_CMSG_CLOEXEC = 0x40000000;

    /// <summary>Both ends close-on-exec; a spawn maps the end it passes explicitly.</summary>
    public static (int A, int B) CreatePair()
    {
        int* fds = stackalloc int[2];
        if (Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, fds) != 0)
        {
            throw ErrnoException.Last("socketpair");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>Sends one message. The descriptors stay open here: the receiver gets duplicates.</summary>
    public static void Send(int socket, ReadOnlySpan<byte> data, ReadOnlySpan<int> fds)
    {
        if (data.IsEmpty || fds.Length > MaxDescriptors)
        {
            throw new ArgumentException("a message needs at least one byte and at most 8 descriptors");
        }

        var controlSize = fds.IsEmpty ? 0 : Align(HeaderSize + (4 * fds.Length));
        var control = stackalloc byte[Math.Max(controlSize, 1)];
        if (controlSize > 0)
        {
            new Span<byte>(control, controlSize).Clear();
            *(nuint*)control = (nuint)(HeaderSize + (4 * fds.Length));
            *(int*)(control + 8) = Libc.SOL_SOCKET;
            *(int*)(control + 12) = Libc.SCM_RIGHTS;
            fds.CopyTo(new Span<int>(control + HeaderSize, fds.Length));
        }

        fixed (byte* p = data)
        {
            var iov = new Libc.IoVec { Base = p, Len = (nuint)data.Length };
            var msg = new Libc.MsgHdr { Iov = &iov, IovLen = 1, Control = controlSize > 0 ? control : null, ControlLen = (nuint)controlSize };
            nint n;
            do
            {
                n = Libc.sendmsg(socket, &msg, MSG_NOSIGNAL);
            }
            while (n < 0 && Libc.LastErrno == Libc.EINTR);

            if (n < 0)
            {
                throw ErrnoException.Last("sendmsg");
            }
        }
    }

    /// <summary>
    /// Receives one message into <paramref name="data"/> and its descriptors (close-on-exec) into
    /// <paramref name="fds"/>. Returns the byte count, 0 when the peer has closed its end.
    /// </summary>
    public static int Receive(int socket, Span<byte> data, Span<int> fds, out int fdCount)
    {
        fdCount = 0;
        var controlSize = Align(HeaderSize + (4 * MaxDescriptors));
        var control = stackalloc byte[controlSize];
        fixed (byte* p = data)
        {
            var iov = new Libc.IoVec { Base = p, Len = (nuint)data.Length };
            var msg = new Libc.MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = (nuint)controlSize };
            nint n;
            do
            {
                n = Libc.recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
            }
            while (n < 0 && Libc.LastErrno == Libc.EINTR);

            if (n < 0)
            {
                throw ErrnoException.Last("recvmsg");
            }

            if (msg.ControlLen >= HeaderSize)
            {
                var len = (int)*(nuint*)control;
                if (*(int*)(control + 8) == Libc.SOL_SOCKET && *(int*)(control + 12) == Libc.SCM_RIGHTS)
                {
                    var count = (len - HeaderSize) / 4;
                    var received = new ReadOnlySpan<int>(control + HeaderSize, count);
                    if (count > fds.Length || (msg.Flags & MSG_CTRUNC) != 0)
                    {
                        foreach (var fd in received)
                        {
                            _ = Libc.close(fd);
                        }

                        throw new IOException("descriptor message truncated");
                    }

                    received.CopyTo(fds);
                    fdCount = count;
                }
            }

            return (int)n;
        }
    }

    private static int Align(int n) => (n + 7) & ~7;
}
