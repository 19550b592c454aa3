using System.IO.Pipelines;

namespace Berth.Daemon.Http;

/// <summary>
/// The client's side of a hijacked connection, as HijackConnectionMiddleware separated it from
/// Kestrel: the request body and everything the client sends after it (stdin, ending at its FIN).
/// Found by routes as a connection feature.
/// </summary>
public sealed class HijackSession(byte[] body)
{
    public byte[] Body { get; } = body;

    public Pipe Stdin { get; } = new(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024));
}
