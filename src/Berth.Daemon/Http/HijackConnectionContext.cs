using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Daemon.Http;

/// <summary>
/// The connection Kestrel sees for a hijack: input relayed (the client's FIN hidden) and a
/// ConnectionClosed that fires only when the connection really fails, not on a half-close —
/// Kestrel would otherwise abort the request the moment a client says it has no more input.
/// </summary>
internal sealed class HijackConnectionContext(ConnectionContext inner, IDuplexPipe transport, CancellationToken closed) : ConnectionContext
{
    private IDuplexPipe _transport = transport;

    public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }

    public override IFeatureCollection Features => inner.Features;

    public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }

    public override IDuplexPipe Transport { get => _transport; set => _transport = value; }

    public override CancellationToken ConnectionClosed { get => closed; set => throw new NotSupportedException(); }

    public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }

    public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }

    public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

    public override void Abort() => inner.Abort();

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
