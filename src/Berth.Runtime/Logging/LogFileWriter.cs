using System.Buffers;
using System.Security.Cryptography;

namespace Berth.Runtime.Logging;

/// <summary>
/// Appends a container's output to its log file in a driver's record format, with Docker's
/// rotation (log, log.1 … log.N-1, or log.1.gz … when compressing) and Docker's partial-line
/// bookkeeping (pieces of a long line share an id and the first piece's time). Buffered:
/// callers append many entries and <see cref="Flush"/> when their input runs dry, so a chatty
/// container costs one write(2) per buffer, not per line. A rotated file is compressed on a
/// thread of its own; the next rotation waits for it, as dockerd's does. Not thread-safe: the
/// monitor holds a lock.
/// </summary>
public sealed class LogFileWriter : IDisposable
{
    private const int BufferSize = 256 * 1024;

    // 0640, dockerd's mode for log files: what a container prints may be secret.
    private const UnixFileMode LogFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly string _path;
    private readonly ILogFormat _format;
    private readonly LogRotation _rotation;
    private readonly PartialLine _stdout = new();
    private readonly PartialLine _stderr = new();
    private byte[] _buffer;
    private int _count;
    private long _fileSize;
    private long _lastNanos;
    private FileStream _file;
    private bool _reopen;
    private Thread? _compression;

    public LogFileWriter(string path, ILogFormat format, LogRotation rotation)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(rotation);
        _path = path;
        _format = format;
        _rotation = rotation;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        _file = OpenAppend(path);
        _fileSize = _file.Length;
    }

    public long FileSize => _fileSize + _count;

    /// <summary>Called with each compression failure (the rotated file then stays uncompressed).</summary>
    public Action<Exception>? CompressionFailed { get; init; }

    /// <summary>
    /// Appends one piece of output as the monitor cut it: a line with its newline, or a piece of
    /// a longer line without one.
    /// </summary>
    public void Append(OutputStream stream, ReadOnlySpan<byte> line, long unixNanos)
    {
        var partial = (stream == OutputStream.Stderr ? _stderr : _stdout).Next(line, ref unixNanos);

        // As Docker: rotate before an entry once the file has reached max-size, so a file
        // exceeds the limit by at most one entry.
        if (_rotation.MaxSize >= 0 && _fileSize + _count >= _rotation.MaxSize)
        {
            Flush();
            Rotate();
        }

        var max = _format.MaxEncodedLength(line.Length);
        if (max > _buffer.Length - _count)
        {
            Flush();
            if (max > _buffer.Length)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(max);
            }
        }

        _count += _format.Encode(_buffer.AsSpan(_count), stream, line, unixNanos, partial);
        _lastNanos = unixNanos;
    }

    /// <summary>
    /// Writes the buffered entries. When that fails (a full disk: ENOSPC, EDQUOT) they are
    /// dropped, as Docker drops a message its log driver could not take, and the file is cut back
    /// to its last whole entry, so a short write leaves no half record; the IOException is
    /// rethrown for the caller to report. Later entries are written as usual once there is room.
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
            _compression?.Join();
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
        // The file compressed at the previous rotation must be in place before names move on.
        _compression?.Join();
        _compression = null;
        _file.Dispose();
        if (_rotation.MaxFiles > 1)
        {
            var ext = _rotation.Compress ? ".gz" : string.Empty;
            File.Delete($"{_path}.{_rotation.MaxFiles - 1}{ext}");
            for (var i = _rotation.MaxFiles - 2; i >= 1; i--)
            {
                var from = $"{_path}.{i}{ext}";
                if (File.Exists(from))
                {
                    File.Move(from, $"{_path}.{i + 1}{ext}", overwrite: true);
                }
            }

            File.Move(_path, $"{_path}.1", overwrite: true);
            _file = OpenAppend(_path);
            if (_rotation.Compress)
            {
                StartCompression($"{_path}.1", _lastNanos);
            }
        }
        else
        {
            _file = OpenAppend(_path);
            _file.SetLength(0);
        }

        _fileSize = 0;
    }

    private void StartCompression(string file, long lastNanos)
    {
        // A small stack: the monitor is meant to stay small, and deflate's state is native memory.
        _compression = new Thread(
            () =>
            {
                try
                {
                    RotatedLogCompression.Compress(file, lastNanos, LogFileMode);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
                {
                    // The file stays as it is, uncompressed, and is read as such.
                    CompressionFailed?.Invoke(e);
                }
            },
            256 * 1024) { IsBackground = true, Name = "log-compress" };
        _compression.Start();
    }

    private static FileStream OpenAppend(string path)
    {
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

    /// <summary>One stream's unfinished long line: its id, the next ordinal and the first piece's time.</summary>
    private sealed class PartialLine
    {
        private string? _id;
        private int _ordinal;
        private long _nanos;

        public PartialLogMetadata? Next(ReadOnlySpan<byte> piece, ref long unixNanos)
        {
            if (piece.Length > 0 && piece[^1] == '\n')
            {
                if (_id is null)
                {
                    return null;
                }

                var last = new PartialLogMetadata(true, _id, _ordinal);
                unixNanos = _nanos;
                _id = null;
                return last;
            }

            if (_id is null)
            {
                _id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                _ordinal = 1;
                _nanos = unixNanos;
            }

            unixNanos = _nanos;
            return new PartialLogMetadata(false, _id, _ordinal++);
        }
    }
}
