using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Berth.Client.Http;

/// <summary>
/// One connection to the engine with a small read buffer: the HTTP head is parsed from the
/// buffer, and whatever the server sent after the head stays readable through this stream (the
/// start of a body, or of a hijacked raw stream).
/// </summary>
public sealed class SocketConnection : Stream
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public SocketConnection(Socket socket, Stream? stream = null)
    {
        _socket = socket;
        _stream = stream ?? new NetworkStream(socket, ownsSocket: false);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public static async Task<SocketConnection> ConnectAsync(DaemonEndpoint endpoint, CancellationToken cancellationToken)
    {
        Socket socket;
        if (endpoint.IsUnix)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(endpoint.Path), cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        else
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        if (endpoint.Tls is not { } tls || endpoint.IsUnix)
        {
            return new SocketConnection(socket);
        }

        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            await ssl.AuthenticateAsClientAsync(tls.AuthenticationOptions(endpoint.Host), cancellationToken);
        }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            await ssl.DisposeAsync();
            socket.Dispose();
            throw new EngineConnectionException($"error during connect: TLS handshake with {endpoint.Original} failed: {e.Message}", e);
        }
        catch
        {
            await ssl.DisposeAsync();
            socket.Dispose();
            throw;
        }

        return new SocketConnection(socket, ssl);
    }

    /// <summary>Half-closes the connection: the engine sees end of input (stdin closed).</summary>
    public void CloseWrite()
    {
        try
        {
            if (_stream is SslStream ssl)
            {
                ssl.ShutdownAsync().GetAwaiter().GetResult(); // TLS close_notify: the end of stdin
            }

            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Reads one CRLF-terminated line (without the terminator); null at end of stream.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                return line.Length == 0 ? null : line.ToString();
            }

            var span = _buffer.AsSpan(_start, _end - _start);
            var nl = span.IndexOf((byte)'\n');
            if (nl < 0)
            {
                line.Append(Encoding.Latin1.GetString(span));
                _start = _end;
                continue;
            }

            line.Append(Encoding.Latin1.GetString(span[..nl]));
            _start += nl + 1;
            if (line.Length > 0 && line[^1] == '\r')
            {
                line.Length--;
            }

            return line.ToString();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_start < _end)
        {
            var n = Math.Min(buffer.Length, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(buffer);
            _start += n;
            return n;
        }

        return _stream.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_start < _end)
        {
            var n = Math.Min(buffer.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(buffer);
            _start += n;
            return n;
        }

        try
        {
            return await _stream.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _stream.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _stream.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stream.Dispose();
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = 0;
        var n = await _stream.ReadAsync(_buffer.AsMemory(), cancellationToken);
        _end = n;
        return n > 0;
    }
}
