using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Daemon.Http;

/// <summary>
/// The connection Kestrel's HTTP layer sees for a hijack: the real one, but with the input
/// separated by HijackConnectionMiddleware and a ConnectionClosed that does not fire at the
/// client's half-close.
/// </summary>
internal sealed class HijackConnectionContext(ConnectionContext inner, IDuplexPipe transport, CancellationToken closed) : ConnectionContext
{
    public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }

    public override IFeatureCollection Features => inner.Features;

    public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }

    public override IDuplexPipe Transport { get; set; } = transport;

    public override CancellationToken ConnectionClosed { get; set; } = closed;

    public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }

    public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }

    public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
