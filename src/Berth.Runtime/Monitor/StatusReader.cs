using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Berth.Runtime.Monitor;

/// <summary>Reads newline-terminated status lines from a monitor's status pipe.</summary>
internal sealed class StatusReader : IDisposable
{
    private readonly FileStream _stream;
    private readonly byte[] _buffer = new byte[4096];
    private int _count;

    public StatusReader(int fd)
    {
        _stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
    }

    /// <summary>The next line without its newline, or null at EOF.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var nl = Array.IndexOf(_buffer, (byte)'\n', 0, _count);
            if (nl >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, 0, nl);
                Buffer.BlockCopy(_buffer, nl + 1, _buffer, 0, _count - nl - 1);
                _count -= nl + 1;
                return line;
            }

            if (_count == _buffer.Length)
            {
                var all = Encoding.UTF8.GetString(_buffer, 0, _count);
                _count = 0;
                return all;
            }

            int n;
            try
            {
                n = await _stream.ReadAsync(_buffer.AsMemory(_count), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                n = 0;
            }

            if (n == 0)
            {
                return _count > 0 ? Drain() : null;
            }

            _count += n;
        }
    }

    public void Dispose() => _stream.Dispose();

    private string Drain()
    {
        var s = Encoding.UTF8.GetString(_buffer, 0, _count);
        _count = 0;
        return s;
    }
}
