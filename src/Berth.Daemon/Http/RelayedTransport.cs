using System.IO.Pipelines;

namespace Berth.Daemon.Http;

/// <summary>A connection transport whose input is relayed (see <see cref="HijackConnectionMiddleware"/>).</summary>
internal sealed class RelayedTransport(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input => input;

    public PipeWriter Output => output;
}
