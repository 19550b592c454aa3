using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Berth.Runtime.Monitor;

/// <summary>A client connection to a container's monitor socket in attach mode.</summary>
internal sealed class MonitorAttachment : IAttachment
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private MonitorAttachment(Socket socket)
    {
        _socket = socket;
    }

    public static async Task<MonitorAttachment> ConnectAsync(string socketPath, byte mode, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(new[] { mode }, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            return new MonitorAttachment(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async IAsyncEnumerable<OutputChunk> ReadOutputAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (type, payload) in ReadFramesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (type == MonitorProtocol.Exit)
            {
                yield break;
            }

            yield return new OutputChunk(type == MonitorProtocol.Stderr ? OutputStream.Stderr : OutputStream.Stdout, payload);
        }
    }

    /// <summary>Raw frames until the monitor closes the connection.</summary>
    public async IAsyncEnumerable<(byte Type, ReadOnlyMemory<byte> Payload)> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var header = new byte[MonitorProtocol.HeaderSize];
        while (true)
        {
            if (!await ReceiveExactlyAsync(header, cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
            var payload = new byte[length];
            if (!await ReceiveExactlyAsync(payload, cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }

            yield return (header[0], payload);
        }
    }

    public ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        SendFrameAsync(MonitorProtocol.StdinData, data, cancellationToken);

    public ValueTask CloseInputAsync(CancellationToken cancellationToken) =>
        SendFrameAsync(MonitorProtocol.StdinClose, ReadOnlyMemory<byte>.Empty, cancellationToken);

    public async ValueTask SendFrameAsync(byte type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var frame = new byte[MonitorProtocol.HeaderSize + data.Length];
        MonitorProtocol.WriteHeader(frame, type, data.Length);
        data.CopyTo(frame.AsMemory(MonitorProtocol.HeaderSize));
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var sent = 0;
            while (sent < frame.Length)
            {
                sent += await _socket.SendAsync(frame.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SocketException e)
        {
            throw new IOException("the container's monitor closed the connection", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _writeLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask<bool> ReceiveExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer[done..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                return false;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }

            if (n == 0)
            {
                return false;
            }

            done += n;
        }

        return true;
    }
}
