using System.Text;
using Berth.Platform.Native;

namespace Berth.Platform.Sockets;

/// <summary>
/// A listening unix socket for runc's --console-socket: runc connects and sends the pty master
/// as SCM_RIGHTS ancillary data. Raw libc because .NET sockets cannot receive descriptors.
/// </summary>
public sealed unsafe class ConsoleSocket : IDisposable
{
    private int _fd;

    private ConsoleSocket(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    public static ConsoleSocket Listen(string path)
    {
        var fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw ErrnoException.Last("socket");
        }

        try
        {
            File.Delete(path);
            var addr = stackalloc byte[110];
            new Span<byte>(addr, 110).Clear();
            *(ushort*)addr = Libc.AF_UNIX;
            var bytes = Encoding.UTF8.GetBytes(path);
            if (bytes.Length > 107)
            {
                throw new IOException($"socket path too long: {path}");
            }

            bytes.CopyTo(new Span<byte>(addr + 2, 108));
            if (Libc.bind(fd, addr, 2 + bytes.Length + 1) != 0)
            {
                throw ErrnoException.Last($"bind {path}");
            }

            if (Libc.listen(fd, 1) != 0)
            {
                throw ErrnoException.Last("listen");
            }

            return new ConsoleSocket(fd, path);
        }
        catch
        {
            _ = Libc.close(fd);
            throw;
        }
    }

    /// <summary>Accepts one connection and returns the first descriptor it sends, or -1 if it sent none.</summary>
    public int ReceiveFd()
    {
        var conn = Libc.accept4(_fd, null, null, Libc.SOCK_CLOEXEC);
        if (conn < 0)
        {
            throw ErrnoException.Last("accept");
        }

        try
        {
            return ReceiveFdFrom(conn);
        }
        finally
        {
            _ = Libc.close(conn);
        }
    }

    /// <summary>recvmsg with room for one SCM_RIGHTS descriptor.</summary>
    public static int ReceiveFdFrom(int conn)
    {
        var data = stackalloc byte[4096];
        var control = stackalloc byte[64];
        var iov = new Libc.IoVec { Base = data, Len = 4096 };
        var msg = new Libc.MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
        nint n;
        do
        {
            n = Libc.recvmsg(conn, &msg, 0x40000000 /* MSG_CMSG_CLOEXEC */);
        }
        while (n < 0 && Libc.LastErrno == Libc.EINTR);

        if (n < 0)
        {
            throw ErrnoException.Last("recvmsg");
        }

        // struct cmsghdr { size_t len; int level; int type; } followed by the data, 8-aligned.
        if (msg.ControlLen >= 16)
        {
            var len = *(nuint*)control;
            var level = *(int*)(control + 8);
            var type = *(int*)(control + 12);
            if (level == Libc.SOL_SOCKET && type == Libc.SCM_RIGHTS && len >= 20)
            {
                return *(int*)(control + 16);
            }
        }

        return -1;
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            _ = Libc.close(_fd);
            _fd = -1;
            try
            {
                File.Delete(Path);
            }
            catch (IOException)
            {
            }
        }
    }
}
