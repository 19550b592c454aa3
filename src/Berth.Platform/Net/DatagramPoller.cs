using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Berth.Platform.Net;

/// <summary>
/// One dedicated thread serving many UDP sockets through epoll: each readable socket is drained
/// with recvfrom and every datagram handed to its callback right there, and the callback can
/// answer at once with sendto. No thread-pool hop on the way in or out, so a request/answer
/// protocol (the embedded DNS server) answers in microseconds even when the pool is busy.
/// Callbacks must be quick; slow work belongs elsewhere.
/// </summary>
public sealed unsafe class DatagramPoller : IDisposable
{
    private const int MaxBatch = 32;
    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ConcurrentDictionary<ulong, Registration> _registrations = new();
    private readonly ConcurrentQueue<ulong> _removals = new();
    private long _nextId;
    private volatile bool _stopping;

    public DatagramPoller(string name)
    {
        _epoll = NetLibc.epoll_create1(NetLibc.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1: {NetLibc.ErrorText(Marshal.GetLastPInvokeError())}");
        }

        _wake = NetLibc.eventfd(0, NetLibc.EFD_CLOEXEC | NetLibc.EFD_NONBLOCK);
        var ev = new EpollEvent { Events = NetLibc.EPOLLIN, Data = 0 };
        NetLibc.epoll_ctl(_epoll, NetLibc.EPOLL_CTL_ADD, _wake, &ev);
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Starts serving a bound UDP socket; returns a token for <see cref="Remove"/>.</summary>
    public ulong Add(Socket socket, object state, DatagramReceived callback)
    {
        var handle = socket.SafeHandle;
        var added = false;
        handle.DangerousAddRef(ref added);
        var id = (ulong)Interlocked.Increment(ref _nextId);
        var fd = (int)handle.DangerousGetHandle();
        _registrations[id] = new Registration(fd, handle, state, callback);
        var ev = new EpollEvent { Events = NetLibc.EPOLLIN, Data = id };
        if (NetLibc.epoll_ctl(_epoll, NetLibc.EPOLL_CTL_ADD, fd, &ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _registrations.TryRemove(id, out _);
            handle.DangerousRelease();
            throw new IOException($"epoll_ctl(ADD): {NetLibc.ErrorText(errno)}");
        }

        return id;
    }

    /// <summary>
    /// Stops serving a socket. The socket's descriptor stays valid until the poller thread has
    /// dropped it, so disposing the Socket right after this is safe.
    /// </summary>
    public void Remove(ulong token)
    {
        _removals.Enqueue(token);
        Wake();
    }

    /// <summary>Sends a datagram to a peer address as received (any thread).</summary>
    public static bool SendTo(Socket socket, ReadOnlySpan<byte> data, ReadOnlySpan<byte> peer)
    {
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            fixed (byte* d = data)
            fixed (byte* p = peer)
            {
                return NetLibc.sendto((int)handle.DangerousGetHandle(), d, data.Length, NetLibc.MSG_DONTWAIT, p, peer.Length) >= 0;
            }
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        Wake();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }
    }

    private void Wake()
    {
        ulong one = 1;
        NetLibc.write(_wake, (byte*)&one, 8);
    }

    private void Loop()
    {
        var events = stackalloc EpollEvent[MaxBatch];
        var buf = new byte[65536];
        var peer = stackalloc byte[128];
        try
        {
            while (!_stopping)
            {
                var n = NetLibc.epoll_wait(_epoll, events, MaxBatch, -1);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == NetLibc.EINTR)
                    {
                        continue;
                    }

                    return;
                }

                for (var i = 0; i < n; i++)
                {
                    var id = events[i].Data;
                    if (id == 0)
                    {
                        // read, not recv: an eventfd is not a socket, and an undrained eventfd
                        // stays readable, which would turn this loop into a spin.
                        ulong drain;
                        Berth.Platform.Native.Libc.read(_wake, (byte*)&drain, 8);
                        continue;
                    }

                    if (_registrations.TryGetValue(id, out var reg))
                    {
                        Drain(reg, buf, peer);
                    }
                }

                while (_removals.TryDequeue(out var gone))
                {
                    if (_registrations.TryRemove(gone, out var reg))
                    {
                        NetLibc.epoll_ctl(_epoll, NetLibc.EPOLL_CTL_DEL, reg.Fd, null);
                        reg.Handle.DangerousRelease();
                    }
                }
            }
        }
        finally
        {
            foreach (var reg in _registrations.Values)
            {
                reg.Handle.DangerousRelease();
            }

            _registrations.Clear();
            NetLibc.close(_wake);
            NetLibc.close(_epoll);
        }
    }

    private static void Drain(Registration reg, byte[] buf, byte* peer)
    {
        fixed (byte* b = buf)
        {
            for (var k = 0; k < 16; k++)
            {
                var plen = 128;
                var r = NetLibc.recvfrom(reg.Fd, b, buf.Length, NetLibc.MSG_DONTWAIT, peer, &plen);
                if (r < 0)
                {
                    return; // EAGAIN (drained) or a reported ICMP error: nothing to hand on
                }

                try
                {
                    reg.Callback(reg.State, new ReadOnlySpan<byte>(b, (int)r), new ReadOnlySpan<byte>(peer, plen));
                }
                catch (Exception)
                {
                    // One bad datagram must not stop the server.
                }
            }
        }
    }

    private sealed record Registration(int Fd, SafeHandle Handle, object State, DatagramReceived Callback);
}
