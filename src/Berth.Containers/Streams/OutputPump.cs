using Berth.Runtime;

namespace Berth.Containers.Streams;

/// <summary>The output side of attach and exec: chunks from the runtime to the client's writer.</summary>
internal static class OutputPump
{
    /// <summary>Copies output chunks to the writer, dropping the streams the client did not ask for.</summary>
    public static async Task CopyAsync(IAsyncEnumerable<OutputChunk> chunks, OutputWriter output, bool stdout, bool stderr, CancellationToken ct)
    {
        try
        {
            await foreach (var chunk in chunks.WithCancellation(ct).ConfigureAwait(false))
            {
                if ((chunk.Stream == OutputStream.Stdout && stdout) || (chunk.Stream == OutputStream.Stderr && stderr))
                {
                    await output(chunk.Stream, chunk.Data, ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }
}
