using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Berth.Daemon.Http;

/// <summary>
/// The socket's writer on a hijacked connection (<c>Upgrade: tcp</c>), between Kestrel and the
/// client. Kestrel writes every upgrade as <c>101 Switching Protocols</c>, with no way to set the
/// reason phrase; dockerd writes <c>HTTP/1.1 101 UPGRADED</c>, then Content-Type, Connection and
/// Upgrade, then its own headers (no Date). This holds what Kestrel writes until the response
/// head is complete and, when it is that 101, writes dockerd's head instead; any other head (an
/// error answered before the upgrade) and every byte after the head pass through untouched.
/// </summary>
internal sealed class UpgradedHeadWriter(PipeWriter inner) : PipeWriter
{
    private const string KestrelStatusLine = "HTTP/1.1 101 Switching Protocols";
    private const int MaxHead = 64 * 1024;

    private ArrayBufferWriter<byte>? _head = new(1024);

    public override void Advance(int bytes)
    {
        if (_head is null)
        {
            inner.Advance(bytes);
            return;
        }

        _head.Advance(bytes);
        if (_head.WrittenSpan.IndexOf("\r\n\r\n"u8) >= 0 || _head.WrittenCount > MaxHead)
        {
            Release();
        }
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _head?.GetMemory(sizeHint) ?? inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _head is null ? inner.GetSpan(sizeHint) : _head.GetSpan(sizeHint);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        Release();
        inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Release();
        return inner.CompleteAsync(exception);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Release();
        return inner.FlushAsync(cancellationToken);
    }

    /// <summary>Writes the held bytes (rewritten when they are Kestrel's 101 head) and passes everything on from now.</summary>
    private void Release()
    {
        if (_head is null)
        {
            return;
        }

        var held = _head.WrittenSpan;
        _head = null;
        var end = held.IndexOf("\r\n\r\n"u8);
        if (end < 0 || !held.StartsWith(Encoding.ASCII.GetBytes(KestrelStatusLine + "\r\n")))
        {
            inner.Write(held);
            return;
        }

        inner.Write(Encoding.Latin1.GetBytes(DockerHead(Encoding.Latin1.GetString(held[..end]))));
        inner.Write(held[(end + 4)..]);
    }

    /// <summary>dockerd's order: status, Content-Type, Connection, Upgrade, the other headers, Server last; no Date.</summary>
    private static string DockerHead(string kestrelHead)
    {
        var lines = kestrelHead.Split("\r\n")[1..];
        string? Take(string name) => lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));
        var first = new[] { Take("Content-Type"), "Connection: Upgrade", Take("Upgrade") };
        var rest = lines.Where(l => !(l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)
            || l.StartsWith("Upgrade:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("Date:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("Server:", StringComparison.OrdinalIgnoreCase)));
        var head = new StringBuilder("HTTP/1.1 101 UPGRADED\r\n");
        foreach (var line in first.Concat(rest).Append(Take("Server")))
        {
            if (line is not null)
            {
                head.Append(line).Append("\r\n");
            }
        }

        return head.Append("\r\n").ToString();
    }
}
