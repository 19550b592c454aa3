using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Berth.Platform.Net;
using Microsoft.Extensions.Logging;

namespace Berth.Networking.Dns;

/// <summary>
/// Docker's embedded DNS server at 127.0.0.11, one instance for the whole daemon. Each container
/// with a user-defined network gets a UDP and a TCP socket bound to 127.0.0.11:53 inside its own
/// namespace (a socket stays in the namespace it was created in); all of them are served here,
/// on the thread pool, from one in-memory <see cref="DnsRegistry"/>. Names it does not own are
/// forwarded to the container's upstream servers; when all fail the answer is SERVFAIL.
/// </summary>
public sealed class EmbeddedDnsServer : IAsyncDisposable
{
    public const int Ttl = 600;
    private static readonly TimeSpan UpstreamTimeout = TimeSpan.FromSeconds(4);
    private const int MaxUpstreams = 3;
    private readonly DnsRegistry _registry;
    private readonly INetworkKernel _kernel;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Listener> _listeners = new(StringComparer.Ordinal);
    private readonly DatagramPoller _poller = new("berth-dns");
    private readonly DatagramReceived _onDatagram;

    [ThreadStatic]
    private static byte[]? _replyBuffer;

    public EmbeddedDnsServer(DnsRegistry registry, INetworkKernel kernel, ILogger logger)
    {
        _registry = registry;
        _kernel = kernel;
        _logger = logger;
        _onDatagram = OnDatagram;
    }

    public static IPAddress Address { get; } = IPAddress.Parse("127.0.0.11");

    /// <summary>Binds 127.0.0.11:53 (UDP and TCP). Call in a work item inside the container's namespace, with lo up.</summary>
    public static (Socket Udp, Socket Tcp) CreateSockets(INetworkNamespace ns)
    {
        var endpoint = new IPEndPoint(Address, 53);
        var udp = ns.OpenSocket(SocketType.Dgram, ProtocolType.Udp, endpoint);
        try
        {
            // A restarted daemon rebinds while old connections may linger in TIME_WAIT (OpenSocket sets SO_REUSEADDR).
            var tcp = ns.OpenSocket(SocketType.Stream, ProtocolType.Tcp, endpoint);
            try
            {
                tcp.Listen(128);
                return (udp, tcp);
            }
            catch
            {
                tcp.Dispose();
                throw;
            }
        }
        catch
        {
            udp.Dispose();
            throw;
        }
    }

    public bool IsServing(string containerId) => _listeners.ContainsKey(containerId);

    /// <summary>Starts serving a container's sockets (taking ownership of them).</summary>
    public void Start(DnsSandbox sandbox, Socket udp, Socket tcp)
    {
        var l = new Listener(sandbox, udp, tcp);
        if (_listeners.TryRemove(sandbox.ContainerId, out var old))
        {
            _poller.Remove(old.PollerToken);
            old.Dispose();
        }

        _listeners[sandbox.ContainerId] = l;
        l.PollerToken = _poller.Add(udp, l, _onDatagram);
        _ = TcpAcceptLoopAsync(l);
    }

    /// <summary>Replaces a serving container's view (networks connected or disconnected).</summary>
    public void Update(DnsSandbox sandbox)
    {
        if (_listeners.TryGetValue(sandbox.ContainerId, out var l))
        {
            l.Sandbox = sandbox;
        }
    }

    /// <summary>Closes a container's sockets and upstream connections. Idempotent.</summary>
    public void Stop(string containerId)
    {
        if (_listeners.TryRemove(containerId, out var l))
        {
            _poller.Remove(l.PollerToken);
            l.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var id in _listeners.Keys)
        {
            Stop(id);
        }

        _poller.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Answers a query from the registry into <paramref name="response"/>: returns its length,
    /// or -1 when the query must be forwarded.
    /// </summary>
    public int Answer(DnsSandbox sandbox, ReadOnlySpan<byte> query, Span<byte> response, bool tcp)
    {
        if (!DnsWire.TryParseQuery(query, out var q))
        {
            return DnsWire.WriteFormatError(response, query);
        }

        if (q.Opcode != 0 || q.Class != DnsWire.ClassIn)
        {
            return -1;
        }

        var maxSize = tcp ? 65535 : q.MaxUdpSize;
        switch (q.Type)
        {
            case DnsWire.TypeA:
            case DnsWire.TypeAaaa:
            {
                var r = _registry.Resolve(sandbox, q.Name);
                if (!r.KnownName)
                {
                    return -1;
                }

                // IPv4-only networks: a known name has no AAAA record (an empty NOERROR, as Docker).
                return q.Type == DnsWire.TypeA
                    ? DnsWire.WriteAddresses(response, query, q, r.Addresses, Ttl, maxSize)
                    : DnsWire.WriteEmpty(response, query, q, DnsWire.RcodeOk);
            }

            case DnsWire.TypePtr:
            {
                if (!TryParseReverse(q.Name, out var ip))
                {
                    return -1;
                }

                var name = _registry.ResolveReverse(sandbox, ip);
                return name is null ? -1 : DnsWire.WritePtr(response, query, q, name, Ttl);
            }

            case DnsWire.TypeMx:
                // A container name has no MX record: empty answer (Docker), unknown names go upstream.
                return _registry.Resolve(sandbox, q.Name).KnownName ? DnsWire.WriteEmpty(response, query, q, DnsWire.RcodeOk) : -1;

            default:
                return -1;
        }
    }

    /// <summary>Forwards to the sandbox's upstream servers in order; SERVFAIL when none answers usefully.</summary>
    internal async Task<byte[]> ForwardAsync(Listener l, byte[] query, CancellationToken ct)
    {
        byte[]? last = null;
        var sandbox = l.Sandbox;
        foreach (var server in sandbox.Upstreams.Take(MaxUpstreams))
        {
            DnsUpstreamConnection conn;
            try
            {
                conn = await l.GetUpstreamAsync(server, s => CreateUpstreamAsync(sandbox, s)).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogDebug("dns: cannot reach upstream {Server} for {Container}: {Error}", server.Address, sandbox.ContainerId, e.Message);
                continue;
            }

            var answer = await conn.QueryAsync(query, UpstreamTimeout, ct).ConfigureAwait(false);
            if (answer is null || answer.Length < DnsWire.HeaderSize)
            {
                continue;
            }

            last = answer;
            var rcode = answer[3] & 0xF;
            var authoritative = (answer[2] & 0x04) != 0;
            if (rcode == DnsWire.RcodeOk || (rcode == DnsWire.RcodeNxDomain && authoritative))
            {
                return answer;
            }
        }

        if (last is not null)
        {
            return last;
        }

        var resp = new byte[512];
        var n = DnsWire.TryParseQuery(query, out var q)
            ? DnsWire.WriteEmpty(resp, query, q, DnsWire.RcodeServFail)
            : DnsWire.WriteFormatError(resp, query);
        return resp[..n];
    }

    private async Task<DnsUpstreamConnection> CreateUpstreamAsync(DnsSandbox sandbox, DnsUpstreamServer server)
    {
        var socket = server.FromHost
            ? await _kernel.RunAsync(host => DnsUpstreamConnection.CreateSocket(host, server.Address)).ConfigureAwait(false)
            : await _kernel.RunInAsync(sandbox.NetnsPath, (_, inside) => DnsUpstreamConnection.CreateSocket(inside, server.Address)).ConfigureAwait(false);
        return new DnsUpstreamConnection(socket);
    }

    /// <summary>The hot path, on the poller thread: answer from the registry and send, or hand off to forwarding.</summary>
    private void OnDatagram(object state, ReadOnlySpan<byte> query, ReadOnlySpan<byte> peer)
    {
        var l = (Listener)state;
        var resp = _replyBuffer ??= new byte[4096];
        var len = Answer(l.Sandbox, query, resp, tcp: false);
        if (len > 0)
        {
            DatagramPoller.SendTo(l.Udp, resp.AsSpan(0, len), peer);
        }
        else if (len < 0)
        {
            _ = ForwardUdpAsync(l, query.ToArray(), peer.ToArray());
        }
    }

    private async Task ForwardUdpAsync(Listener l, byte[] query, byte[] peer)
    {
        try
        {
            var answer = await ForwardAsync(l, query, l.Cancellation).ConfigureAwait(false);
            if (answer.Length > 512 && DnsWire.TryParseQuery(query, out var q) && answer.Length > q.MaxUdpSize)
            {
                // Too big for the client's UDP buffer: send the header and question with TC set.
                var trunc = new byte[q.QuestionEnd];
                answer.AsSpan(0, DnsWire.HeaderSize).CopyTo(trunc);
                query.AsSpan(DnsWire.HeaderSize, q.QuestionEnd - DnsWire.HeaderSize).CopyTo(trunc.AsSpan(DnsWire.HeaderSize));
                trunc[2] |= 0x02;
                BinaryPrimitives.WriteUInt16BigEndian(trunc.AsSpan(6), 0);
                BinaryPrimitives.WriteUInt16BigEndian(trunc.AsSpan(8), 0);
                BinaryPrimitives.WriteUInt16BigEndian(trunc.AsSpan(10), 0);
                answer = trunc;
            }

            DatagramPoller.SendTo(l.Udp, answer, peer);
        }
        catch (Exception e) when (!l.Cancellation.IsCancellationRequested)
        {
            _logger.LogDebug("dns: forwarding failed for {Container}: {Error}", l.Sandbox.ContainerId, e.Message);
        }
        catch (Exception)
        {
            // stopped meanwhile
        }
    }

    private async Task TcpAcceptLoopAsync(Listener l)
    {
        while (!l.Cancellation.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await l.Tcp.AcceptAsync(l.Cancellation).ConfigureAwait(false);
            }
            catch (SocketException) when (!l.Cancellation.IsCancellationRequested)
            {
                continue;
            }
            catch (Exception)
            {
                return;
            }

            _ = ServeTcpAsync(l, client);
        }
    }

    private async Task ServeTcpAsync(Listener l, Socket client)
    {
        using var _ = client;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(l.Cancellation);
        var lenBuf = new byte[2];
        var resp = new byte[65537];
        try
        {
            while (true)
            {
                idle.CancelAfter(TimeSpan.FromSeconds(10));
                if (!await ReadExactAsync(client, lenBuf, idle.Token).ConfigureAwait(false))
                {
                    return;
                }

                var len = BinaryPrimitives.ReadUInt16BigEndian(lenBuf);
                var query = new byte[len];
                if (!await ReadExactAsync(client, query, idle.Token).ConfigureAwait(false))
                {
                    return;
                }

                var n = Answer(l.Sandbox, query, resp.AsSpan(2), tcp: true);
                byte[] answer;
                if (n >= 0)
                {
                    answer = resp[2..(2 + n)];
                }
                else
                {
                    answer = await ForwardTcpAsync(l, query, idle.Token).ConfigureAwait(false);
                }

                var framed = new byte[answer.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
                answer.CopyTo(framed, 2);
                await client.SendAsync(framed, SocketFlags.None, idle.Token).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // client gone, idle or server stopped
        }
    }

    private async Task<byte[]> ForwardTcpAsync(Listener l, byte[] query, CancellationToken ct)
    {
        var sandbox = l.Sandbox;
        foreach (var server in sandbox.Upstreams.Take(MaxUpstreams))
        {
            try
            {
                using var s = server.FromHost
                    ? await _kernel.RunAsync(host => host.OpenSocket(SocketType.Stream, ProtocolType.Tcp)).ConfigureAwait(false)
                    : await _kernel.RunInAsync(sandbox.NetnsPath, (_, inside) => inside.OpenSocket(SocketType.Stream, ProtocolType.Tcp)).ConfigureAwait(false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(UpstreamTimeout);
                await s.ConnectAsync(new IPEndPoint(server.Address, 53), timeout.Token).ConfigureAwait(false);
                var framed = new byte[query.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
                query.CopyTo(framed, 2);
                await s.SendAsync(framed, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                var lenBuf = new byte[2];
                if (!await ReadExactAsync(s, lenBuf, timeout.Token).ConfigureAwait(false))
                {
                    continue;
                }

                var answer = new byte[BinaryPrimitives.ReadUInt16BigEndian(lenBuf)];
                if (await ReadExactAsync(s, answer, timeout.Token).ConfigureAwait(false) && answer.Length >= DnsWire.HeaderSize && (answer[3] & 0xF) == DnsWire.RcodeOk)
                {
                    return answer;
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                _logger.LogDebug("dns: tcp upstream {Server} failed: {Error}", server.Address, e.Message);
            }
        }

        var resp = new byte[512];
        var n = DnsWire.TryParseQuery(query, out var q) ? DnsWire.WriteEmpty(resp, query, q, DnsWire.RcodeServFail) : DnsWire.WriteFormatError(resp, query);
        return resp[..n];
    }

    private static async Task<bool> ReadExactAsync(Socket s, byte[] buf, CancellationToken ct)
    {
        var read = 0;
        while (read < buf.Length)
        {
            var n = await s.ReceiveAsync(buf.AsMemory(read), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    /// <summary>Parses "4.3.2.1.in-addr.arpa" into the address 1.2.3.4.</summary>
    internal static bool TryParseReverse(string name, out uint ip)
    {
        ip = 0;
        const string suffix = ".in-addr.arpa";
        if (!name.EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = name[..^suffix.Length].Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        for (var i = 3; i >= 0; i--)
        {
            if (!byte.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var b))
            {
                return false;
            }

            ip = (ip << 8) | b;
        }

        return true;
    }

    /// <summary>One container's sockets, its current view and its upstream connections.</summary>
    internal sealed class Listener : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly ConcurrentDictionary<DnsUpstreamServer, Lazy<Task<DnsUpstreamConnection>>> _upstreams = new();
        private volatile DnsSandbox _sandbox;

        public Listener(DnsSandbox sandbox, Socket udp, Socket tcp)
        {
            _sandbox = sandbox;
            Udp = udp;
            Tcp = tcp;
            Cancellation = _cts.Token;
        }

        public DnsSandbox Sandbox
        {
            get => _sandbox;
            set => _sandbox = value;
        }

        public Socket Udp { get; }

        public Socket Tcp { get; }

        public CancellationToken Cancellation { get; }

        public ulong PollerToken { get; set; }

        public async Task<DnsUpstreamConnection> GetUpstreamAsync(DnsUpstreamServer server, Func<DnsUpstreamServer, Task<DnsUpstreamConnection>> create)
        {
            var lazy = _upstreams.GetOrAdd(server, s => new Lazy<Task<DnsUpstreamConnection>>(() => create(s)));
            try
            {
                return await lazy.Value.ConfigureAwait(false);
            }
            catch
            {
                _upstreams.TryRemove(server, out _);
                throw;
            }
        }

        public void Dispose()
        {
            _cts.Cancel();
            Udp.Dispose();
            Tcp.Dispose();
            foreach (var u in _upstreams.Values)
            {
                if (u.IsValueCreated && u.Value.IsCompletedSuccessfully)
                {
                    u.Value.Result.Dispose();
                }
            }
        }
    }
}
