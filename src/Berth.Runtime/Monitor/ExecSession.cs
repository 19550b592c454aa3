using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Berth.Platform.Processes;
using Microsoft.Win32.SafeHandles;

namespace Berth.Runtime.Monitor;

/// <summary>
/// The daemon's side of one exec: pipes to the process (or to the exec monitor's pty copy), the
/// monitor's status pipe ("P pid", then "X code") and its resize pipe.
/// </summary>
internal sealed class ExecSession : IExecSession
{
    private readonly ChildProcess _monitor;
    private readonly FileStream? _stdin;
    private readonly FileStream _stdout;
    private readonly FileStream? _stderr;
    private readonly StatusReader _status;
    private readonly FileStream _control;
    private readonly Task<int> _exit;
    private readonly SemaphoreSlim _inputLock = new(1, 1);
    private bool _stdinClosed;

    public ExecSession(ChildProcess monitor, int pid, int stdinFd, int stdoutFd, int stderrFd, StatusReader status, int controlFd)
    {
        _monitor = monitor;
        Pid = pid;
        _stdin = stdinFd >= 0 ? Open(stdinFd, FileAccess.Write) : null;
        _stdout = Open(stdoutFd, FileAccess.Read);
        _stderr = stderrFd >= 0 ? Open(stderrFd, FileAccess.Read) : null;
        _status = status;
        _control = Open(controlFd, FileAccess.Write);
        _exit = WaitForExitAsync();
    }

    public int Pid { get; }

    public async IAsyncEnumerable<OutputChunk> ReadOutputAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<OutputChunk>(new BoundedChannelOptions(64) { SingleReader = true });
        var pumps = new List<Task> { PumpAsync(_stdout, OutputStream.Stdout, channel.Writer, cancellationToken) };
        if (_stderr is not null)
        {
            pumps.Add(PumpAsync(_stderr, OutputStream.Stderr, channel.Writer, cancellationToken));
        }

        _ = Task.WhenAll(pumps).ContinueWith(t => channel.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        await foreach (var chunk in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return chunk;
        }
    }

    public async ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_stdin is null)
        {
            return;
        }

        await _inputLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_stdinClosed)
            {
                await _stdin.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _inputLock.Release();
        }
    }

    public async ValueTask CloseInputAsync(CancellationToken cancellationToken)
    {
        if (_stdin is null)
        {
            return;
        }

        await _inputLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_stdinClosed)
            {
                _stdinClosed = true;
                await _stdin.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _inputLock.Release();
        }
    }

    public async Task ResizeAsync(int height, int width, CancellationToken cancellationToken)
    {
        var line = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{height} {width}\n"));
        try
        {
            await _control.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The exec already finished; a late resize is harmless.
        }
    }

    public Task<int> WaitAsync(CancellationToken cancellationToken) => _exit.WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await CloseInputAsync(CancellationToken.None).ConfigureAwait(false);
        await _stdout.DisposeAsync().ConfigureAwait(false);
        if (_stderr is not null)
        {
            await _stderr.DisposeAsync().ConfigureAwait(false);
        }

        await _control.DisposeAsync().ConfigureAwait(false);
        _status.Dispose();
        _inputLock.Dispose();
        _ = _monitor.WaitAsync();
    }

    private async Task<int> WaitForExitAsync()
    {
        var line = await _status.ReadLineAsync().ConfigureAwait(false);
        _ = _monitor.WaitAsync();
        if (line is not null && line.StartsWith("X ", StringComparison.Ordinal)
            && int.TryParse(line.AsSpan(2), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
        {
            return code;
        }

        // The monitor died without a report (killed): Docker reports such execs as failed.
        return 255;
    }

    private static async Task PumpAsync(FileStream stream, OutputStream kind, ChannelWriter<OutputChunk> writer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffer = new byte[32 * 1024];
            int n;
            try
            {
                n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (n == 0)
            {
                return;
            }

            await writer.WriteAsync(new OutputChunk(kind, buffer.AsMemory(0, n)), cancellationToken).ConfigureAwait(false);
        }
    }

    private static FileStream Open(int fd, FileAccess access) =>
        new(new SafeFileHandle(fd, ownsHandle: true), access, bufferSize: 0);
}
