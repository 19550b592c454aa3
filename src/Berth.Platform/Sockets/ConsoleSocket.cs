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

    /// <summary>The first descriptor of one message (any others are closed), or -1 if it carried none.</summary>
    private static int ReceiveFdFrom(int conn)
    {
        Span<byte> data = stackalloc byte[4096]; // runc sends the terminal's name along
        Span<int> fds = stackalloc int[DescriptorChannel.MaxDescriptors];
        _ = DescriptorChannel.Receive(conn, data, fds, out var count);
        for (var i = 1; i < count; i++)
        {
            _ = Libc.close(fds[i]);
        }

        return count > 0 ? fds[0] : -1;
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
