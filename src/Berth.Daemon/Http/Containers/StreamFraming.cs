using Berth.Api.Streams;
using Berth.Containers.Streams;
using Berth.Runtime;

namespace Berth.Daemon.Http.Containers;

/// <summary>Output writers for hijacked and streamed responses: stdcopy frames without a TTY, raw bytes with one.</summary>
public static class StreamFraming
{
    public static OutputWriter Writer(Stream output, bool multiplexed)
    {
        var gate = new SemaphoreSlim(1, 1);
        return async (stream, data, ct) =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (multiplexed)
                {
                    await StdCopy.WriteFrameAsync(output, stream == OutputStream.Stderr ? StdStream.Stderr : StdStream.Stdout, data, ct).ConfigureAwait(false);
                }
                else
                {
                    await output.WriteAsync(data, ct).ConfigureAwait(false);
                }

                await output.FlushAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        };
    }
}
