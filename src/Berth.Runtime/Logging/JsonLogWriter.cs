using System.Buffers;

namespace Berth.Runtime.Logging;

/// <summary>
/// Appends json-file entries to a log with Docker's rotation (log, log.1 … log.N-1). Buffered:
/// callers append many entries and <see cref="Flush"/> when their input runs dry, so a chatty
/// container costs one write(2) per buffer, not per line. Not thread-safe: the monitor holds a lock.
/// </summary>
public sealed class JsonLogWriter : IDisposable
{
    private const int BufferSize = 256 * 1024;

    private readonly string _path;
    private readonly LogRotation _rotation;
    private byte[] _buffer;
    private int _count;
    private long _fileSize;
    private FileStream _file;

    public JsonLogWriter(string path, LogRotation rotation)
    {
        _path = path;
        _rotation = rotation;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        _file = OpenAppend(path);
        _fileSize = _file.Length;
    }

    public long FileSize => _fileSize + _count;

    public void Append(OutputStream stream, ReadOnlySpan<byte> line, long unixNanos)
    {
        // As Docker: rotate before an entry once the file has reached max-size, so a file
        // exceeds the limit by at most one entry.
        if (_rotation.MaxSize > 0 && _fileSize + _count >= _rotation.MaxSize)
        {
            Flush();
            Rotate();
        }

        var max = JsonLogFormat.MaxEncodedLength(line.Length);
        if (max > _buffer.Length - _count)
        {
            Flush();
            if (max > _buffer.Length)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(max);
            }
        }

        _count += JsonLogFormat.Encode(_buffer.AsSpan(_count), stream, line, unixNanos);
    }

    public void Flush()
    {
        if (_count == 0)
        {
            return;
        }

        _file.Write(_buffer, 0, _count);
        _fileSize += _count;
        _count = 0;
    }

    public void Dispose()
    {
        Flush();
        _file.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void Rotate()
    {
        _file.Dispose();
        if (_rotation.MaxFiles > 1)
        {
            var last = $"{_path}.{_rotation.MaxFiles - 1}";
            File.Delete(last);
            for (var i = _rotation.MaxFiles - 2; i >= 1; i--)
            {
                var from = $"{_path}.{i}";
                if (File.Exists(from))
                {
                    File.Move(from, $"{_path}.{i + 1}", overwrite: true);
                }
            }

            File.Move(_path, $"{_path}.1", overwrite: true);
            _file = OpenAppend(_path);
        }
        else
        {
            _file = OpenAppend(_path);
            _file.SetLength(0);
        }

        _fileSize = 0;
    }

    private const UnixFileMode LogFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private static FileStream OpenAppend(string path)
    {
        // 0640, dockerd's mode for json-file logs: what a container prints may be secret.
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
            UnixCreateMode = LogFileMode,
        });

        // Without the seek, a restarted container's first entries would overwrite the log of its previous runs.
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }
}
