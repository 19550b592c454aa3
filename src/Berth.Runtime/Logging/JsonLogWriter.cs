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
    private bool _reopen;

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

    /// <summary>
    /// Writes the buffered entries. When that fails (a full disk: ENOSPC, EDQUOT) they are
    /// dropped, as Docker drops a message its log driver could not take, and the file is cut back
    /// to its last whole entry, so a short write leaves no half line; the IOException is rethrown
    /// for the caller to report. Later entries are written as usual once there is room.
    /// </summary>
    public void Flush()
    {
        if (_count == 0)
        {
            return;
        }

        try
        {
            if (_reopen)
            {
                _file.Dispose();
                _file = OpenAppend(_path);
                _fileSize = _file.Length;
                _reopen = false;
            }

            _file.Write(_buffer, 0, _count);
        }
        catch (IOException)
        {
            _count = 0;
            if (!_reopen)
            {
                try
                {
                    _file.SetLength(_fileSize);
                    _file.Seek(_fileSize, SeekOrigin.Begin);
                }
                catch (IOException)
                {
                    // Cut back at the next failure or success; the entries are dropped either way.
                }
            }

            throw;
        }

        _fileSize += _count;
        _count = 0;
    }

    /// <summary>Drops what is buffered without writing it.</summary>
    public void Discard() => _count = 0;

    public void Dispose()
    {
        try
        {
            Flush();
        }
        finally
        {
            _file.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Rotate()
    {
        try
        {
            RotateFiles();
        }
        catch (IOException)
        {
            // A rename or create failed (a full disk): go on with whatever file the name holds
            // now, reopened at the next flush.
            _reopen = true;
            throw;
        }
    }

    private void RotateFiles()
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
