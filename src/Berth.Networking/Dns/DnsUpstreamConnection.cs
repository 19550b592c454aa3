using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Berth.Platform.Net;

namespace Berth.Networking.Dns;

/// <summary>
/// A connected UDP socket to one upstream server, created in the namespace the query must leave
/// from. Queries get fresh random ids (restored in the answer) so several can be in flight; a
/// refused server (ICMP port unreachable, reported on the connected socket) fails them at once.
/// </summary>
internal sealed class DnsUpstreamConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<ushort, TaskCompletionSource<byte[]>> _pending = new();
    private readonly CancellationTokenSource _cts = new();

    public DnsUpstreamConnection(Socket socket)
    {
        _socket = socket;
        _ = ReceiveLoopAsync();
    }

    /// <summary>Creates the socket in <paramref name="ns"/>, the namespace the query must leave from (in a work item on it).</summary>
    public static Socket CreateSocket(INetworkNamespace ns, IPAddress server)
    {
        var s = ns.OpenSocket(SocketType.Dgram, ProtocolType.Udp);
        try
        {
            s.Connect(new IPEndPoint(server, 53));
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    public async Task<byte[]?> QueryAsync(ReadOnlyMemory<byte> query, TimeSpan timeout, CancellationToken ct)
    {
        var copy = query.ToArray();
        var originalId = BinaryPrimitives.ReadUInt16BigEndian(copy);
        var tcs = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        ushort id;
        do
        {
            id = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
        }
        while (!_pending.TryAdd(id, tcs));

        try
        {
            BinaryPrimitives.WriteUInt16BigEndian(copy, id);
            await _socket.SendAsync(copy, SocketFlags.None, ct).ConfigureAwait(false);
            var answer = await tcs.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
            BinaryPrimitives.WriteUInt16BigEndian(answer, originalId);
            return answer;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return null;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public void Dispose()
    {
        _cts.Cancel();
        _socket.Dispose();
        _cts.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buf = new byte[65535];
        while (!_cts.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buf, SocketFlags.None, _cts.Token).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable)
            {
                foreach (var p in _pending.Values)
                {
                    p.TrySetException(e);
                }

                continue;
            }
            catch (Exception)
            {
                return; // disposed
            }

            if (n >= DnsWire.HeaderSize && _pending.TryRemove(BinaryPrimitives.ReadUInt16BigEndian(buf), out var waiter))
            {
                waiter.TrySetResult(buf[..n]);
            }
        }
    }
}
