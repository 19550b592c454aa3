namespace Berth.Runtime.Logging;

/// <summary>
/// Cuts a byte stream into log lines (each with its '\n'). A line longer than
/// <see cref="MaxLine"/> is emitted in pieces without newline, as Docker's 16 KiB partial messages.
/// Only the unfinished tail of a read is copied; whole lines go straight from the read buffer.
/// </summary>
public sealed class LineSplitter
{
    public const int MaxLine = 16 * 1024;

    private readonly byte[] _pending = new byte[MaxLine];
    private int _pendingCount;

    public delegate void LineHandler(ReadOnlySpan<byte> line);

    public void Feed(ReadOnlySpan<byte> data, LineHandler onLine)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        while (data.Length > 0)
        {
            var nl = data.IndexOf((byte)'\n');
            if (_pendingCount > 0)
            {
                var room = MaxLine - _pendingCount;
                if (nl >= 0 && nl < room)
                {
                    data[..(nl + 1)].CopyTo(_pending.AsSpan(_pendingCount));
                    onLine(_pending.AsSpan(0, _pendingCount + nl + 1));
                    _pendingCount = 0;
                    data = data[(nl + 1)..];
                    continue;
                }

                var take = Math.Min(room, data.Length);
                data[..take].CopyTo(_pending.AsSpan(_pendingCount));
                _pendingCount += take;
                data = data[take..];
                if (_pendingCount == MaxLine)
                {
                    onLine(_pending);
                    _pendingCount = 0;
                }

                continue;
            }

            if (nl >= 0 && nl < MaxLine)
            {
                onLine(data[..(nl + 1)]);
                data = data[(nl + 1)..];
                continue;
            }

            if (data.Length >= MaxLine)
            {
                onLine(data[..MaxLine]);
                data = data[MaxLine..];
                continue;
            }

            data.CopyTo(_pending);
            _pendingCount = data.Length;
            return;
        }
    }

    /// <summary>At end of stream: the unfinished last line, if any.</summary>
    public void Finish(LineHandler onLine)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        if (_pendingCount > 0)
        {
            onLine(_pending.AsSpan(0, _pendingCount));
            _pendingCount = 0;
        }
    }
}
