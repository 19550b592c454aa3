using System.Net.Sockets;
using Berth.Runtime.Monitor;

namespace Berth.Shim;

/// <summary>One connection to the monitor socket.</summary>
internal sealed class MonitorClient
{
    private readonly Socket _socket;
    private readonly byte[] _header = new byte[MonitorProtocol.HeaderSize];

    public MonitorClient(Socket socket)
    {
        _socket = socket;
    }

    public bool Attached { get; set; }

    public bool SendFrame(byte type, ReadOnlySpan<byte> data)
    {
        try
        {
            MonitorProtocol.WriteHeader(_header, type, data.Length);
            Send(_header);
            Send(data);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    public void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    private void Send(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            var n = _socket.Send(data);
            data = data[n..];
        }
    }
}
