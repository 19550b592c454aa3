using System.Buffers;

namespace Berth.Containers.Streams;

/// <summary>
/// Copies a client's stdin to a container, watching for the detach key sequence: bytes that
/// could start the sequence are held back, forwarded if the sequence breaks, and swallowed when
/// it completes (the client detaches; the container keeps running).
/// </summary>
public static class InputPump
{
    /// <summary>Returns true when the client detached with the key sequence, false at end of input.</summary>
    public static async Task<bool> CopyAsync(Stream input, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, byte[] detachKeys, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        var matched = 0;
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await input.ReadAsync(buffer.AsMemory(0, 16 * 1024), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    return false;
                }

                if (n == 0)
                {
                    if (matched > 0)
                    {
                        await write(detachKeys.AsMemory(0, matched), cancellationToken).ConfigureAwait(false);
                    }

                    return false;
                }

                if (detachKeys.Length == 0)
                {
                    await write(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // Scan the chunk: forward everything that is not (part of) the detach sequence.
                var output = new List<byte>(n + matched);
                for (var i = 0; i < n; i++)
                {
                    var b = buffer[i];
                    if (b == detachKeys[matched])
                    {
                        matched++;
                        if (matched == detachKeys.Length)
                        {
                            if (output.Count > 0)
                            {
                                await write(output.ToArray(), cancellationToken).ConfigureAwait(false);
                            }

                            return true;
                        }

                        continue;
                    }

                    if (matched > 0)
                    {
                        output.AddRange(detachKeys.AsSpan(0, matched));
                        matched = 0;
                        if (b == detachKeys[0])
                        {
                            matched = 1;
                            continue;
                        }
                    }

                    output.Add(b);
                }

                if (output.Count > 0)
                {
                    await write(output.ToArray(), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
