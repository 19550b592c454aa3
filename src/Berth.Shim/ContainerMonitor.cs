using System.Globalization;
using System.Net.Sockets;
using Berth.Platform.Cgroups;
using Berth.Platform.Native;
using Berth.Platform.Processes;
using Berth.Platform.Sockets;
using Berth.Runtime;
using Berth.Runtime.Logging;
using Berth.Runtime.Monitor;

namespace Berth.Shim;

/// <summary>
/// Monitors one container: starts it with `runc run -d` as a child subreaper, then owns its stdio
/// (log file + attached clients) and reaps its init to record the real exit status.
/// </summary>
internal sealed class ContainerMonitor
{
    private static readonly TimeSpan ExitRecordRetry = TimeSpan.FromSeconds(1);

    private readonly string _stateDir;
    private readonly object _logLock = new();
    private readonly object _clientsLock = new();
    private readonly object _stdinLock = new();
    private readonly List<MonitorClient> _clients = [];
    private MonitorConfig _config = null!;
    private LogFileWriter? _log;
    private LogRing? _ring;
    private int _stdinFd = -1;
    private bool _stdinIsPty;
    private int _ttyMaster = -1;
    private int _failedLogWrites;
    private byte[]? _exitPayload;

    public ContainerMonitor(string stateDir)
    {
        _stateDir = stateDir;
    }

    public int Run()
    {
        try
        {
            return RunCore();
        }
        catch (Exception e)
        {
            Report("E monitor: " + e.Message);
            Console.Error.WriteLine($"berth-shim: {e}");
            return 1;
        }
    }

    private int RunCore()
    {
        _config = MonitorConfig.Parse(File.ReadAllText(Path.Combine(_stateDir, MonitorConfig.FileName)));

        // Held until this process ends: a berthd restarted while this monitor is still starting
        // the container (no socket yet) sees it alive and waits for the outcome (MonitorLock).
        using var alive = MonitorLock.Hold(_stateDir);
        Subreaper.Become();
        var devNull = Fd.OpenDevNull();
        int childIn = devNull, childOut = devNull, childErr = devNull;
        int outR = -1, errR = -1, outW = -1, errW = -1, inR = -1;
        ConsoleSocket? console = null;
        var runcArgs = new List<string>
        {
            "--root", _config.RuntimeRoot,
            "--log", Path.Combine(_stateDir, "runc.log"),
            "--log-format", "json",
            "run", "-d",
            "--pid-file", Path.Combine(_stateDir, "init.pid"),
        };
        if (_config.Tty)
        {
            console = ConsoleSocket.Listen(_config.SocketPath + ".c");
            runcArgs.Add("--console-socket");
            runcArgs.Add(console.Path);
        }
        else
        {
            (outR, outW) = Fd.Pipe();
            (errR, errW) = Fd.Pipe();
            Fd.TrySetPipeSize(outW, 1 << 20);
            Fd.TrySetPipeSize(errW, 1 << 20);
            childOut = outW;
            childErr = errW;
            if (_config.OpenStdin)
            {
                (inR, _stdinFd) = Fd.Pipe();
                childIn = inR;
            }
        }

        runcArgs.Add("--bundle");
        runcArgs.Add(_stateDir);
        runcArgs.Add(_config.Id);

        TestHold.At("before-runtime", _config.SocketPath);
        var runc = Spawn.Start(new SpawnOptions
        {
            Path = _config.RuntimePath,
            Args = runcArgs,
            Fds = [(0, childIn), (1, childOut), (2, childErr)],
        });
        var runcExit = runc.Wait();
        Fd.Close(outW);
        Fd.Close(errW);
        Fd.Close(inR);
        if (runcExit != 0)
        {
            console?.Dispose();
            var message = RuncLog.LastError(Path.Combine(_stateDir, "runc.log"))
                ?? $"{Path.GetFileName(_config.RuntimePath)} exited with status {runcExit}";
            Report("E " + message);
            return 1;
        }

        if (console is not null)
        {
            _ttyMaster = console.ReceiveFd();
            console.Dispose();
            if (_config.OpenStdin)
            {
                _stdinFd = _ttyMaster;
                _stdinIsPty = true;
            }
        }

        var pid = int.Parse(File.ReadAllText(Path.Combine(_stateDir, "init.pid")).Trim(), CultureInfo.InvariantCulture);
        Thread? ringWriter = null;
        if (LogDriver.Find(_config.LogDriver)?.Format is { } format)
        {
            _log = new LogFileWriter(_config.LogPath, format, new LogRotation(_config.LogMaxSize, _config.LogMaxFiles, _config.LogCompress))
            {
                CompressionFailed = e => Warn($"Error compressing log file after rotation: {e.Message}"),
            };
            if (_config.LogNonBlocking)
            {
                _ring = new LogRing(_config.LogMaxBufferSize);
                ringWriter = StartThread(RingWriteLoop);
            }
        }

        TestHold.At("before-socket", _config.SocketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        File.Delete(_config.SocketPath);
        listener.Bind(new UnixDomainSocketEndPoint(_config.SocketPath));
        listener.Listen(16);
        File.WriteAllText(Path.Combine(_stateDir, "shim.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        StartThread(() => AcceptLoop(listener));

        var readers = new List<Thread>();
        if (_ttyMaster >= 0)
        {
            readers.Add(StartThread(() => ReadLoop(_ttyMaster, OutputStream.Stdout)));
        }
        else
        {
            readers.Add(StartThread(() => ReadLoop(outR, OutputStream.Stdout)));
            readers.Add(StartThread(() => ReadLoop(errR, OutputStream.Stderr)));
        }

        Report("P " + pid.ToString(CultureInfo.InvariantCulture));
        _ = Libc.dup2(devNull, 1);

        var status = 255 << 8;
        while (true)
        {
            var (reaped, st) = Subreaper.WaitAny();
            if (reaped == pid)
            {
                status = st;
                break;
            }

            if (reaped < 0)
            {
                break;
            }
        }

        var exitNanos = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

        // Everything the container wrote before it died is in the pipes: drain it into the log
        // first, so a reader that sees the exit also sees the last line. Bounded, because with a
        // shared pid namespace a left-over child can keep the pipe open.
        var deadline = DateTime.UtcNow.AddSeconds(2);
        foreach (var r in readers)
        {
            var left = deadline - DateTime.UtcNow;
            _ = r.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        // As Docker's ring logger when it closes: what is still queued goes to the log first.
        _ring?.Close();
        ringWriter?.Join();
        lock (_logLock)
        {
            if (_log is { } log)
            {
                LogWrite(log.Dispose);
                _log = null;
            }
        }

        var oom = false;
        if (_config.CgroupPath.Length > 0)
        {
            try
            {
                oom = new Cgroup(_config.CgroupPath).ReadOomKillCount() > 0;
            }
            catch (IOException)
            {
            }
        }

        var record = new ExitRecord(WaitStatus.ToExitCode(status), oom, exitNanos);
        var written = TryWriteExitRecord(record);
        if (written)
        {
            File.Delete(_config.SocketPath);
        }
        else
        {
            // Before the exit goes out: berthd's watcher is among the clients closed below.
            Warn("cannot write the exit record; keeping it in memory and retrying");
        }

        // Until the record is on disk, the monitor is its only keeper: it stays, gives the exit
        // to every client that connects (berthd after a restart included) and retries the write.
        var payload = System.Text.Encoding.ASCII.GetBytes(record.Format());
        lock (_clientsLock)
        {
            _exitPayload = payload;
            foreach (var c in _clients)
            {
                c.SendFrame(MonitorProtocol.Exit, payload);
                c.Close();
            }

            _clients.Clear();
        }

        if (!written)
        {
            while (!TryWriteExitRecord(record))
            {
                Thread.Sleep(ExitRecordRetry);
            }

            Warn("exit record written");
            File.Delete(_config.SocketPath);
        }

        return 0;
    }

    private bool TryWriteExitRecord(ExitRecord record)
    {
        try
        {
            // The atomic writer leaves no temporary file behind when the disk is full.
            record.WriteTo(_stateDir);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void ReadLoop(int fd, OutputStream stream)
    {
        var buffer = new byte[128 * 1024];
        var splitter = new LineSplitter();
        var type = stream == OutputStream.Stderr ? MonitorProtocol.Stderr : MonitorProtocol.Stdout;
        while (true)
        {
            int n;
            try
            {
                n = Fd.Read(fd, buffer);
            }
            catch (ErrnoException)
            {
                n = 0;
            }

            var nanos = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
            if (_ring is { } ring)
            {
                // mode=non-blocking: never wait for the log; a full ring drops the piece.
                if (n > 0)
                {
                    splitter.Feed(buffer.AsSpan(0, n), line => ring.TryEnqueue(stream, line, nanos));
                }
                else
                {
                    splitter.Finish(line => ring.TryEnqueue(stream, line, nanos));
                }
            }
            else
            {
                lock (_logLock)
                {
                    if (_log is not null)
                    {
                        var log = _log;
                        if (n > 0)
                        {
                            splitter.Feed(buffer.AsSpan(0, n), line => AppendToLog(log, stream, line, nanos));
                        }
                        else
                        {
                            splitter.Finish(line => AppendToLog(log, stream, line, nanos));
                        }

                        // Flush only when the container has nothing more for us right now: a chatty
                        // container then costs one write(2) per 256 KiB buffer, not one per read.
                        if (n < buffer.Length && !Fd.HasInput(fd))
                        {
                            LogWrite(log.Flush);
                        }
                    }
                }
            }

            if (n == 0)
            {
                return;
            }

            Broadcast(type, buffer.AsSpan(0, n));
        }
    }

    /// <summary>
    /// mode=non-blocking: the one thread that writes what the ring holds to the log, flushing
    /// whenever the ring runs dry.
    /// </summary>
    private void RingWriteLoop()
    {
        var ring = _ring!;
        var line = new byte[LineSplitter.MaxLine];
        WaitForTestGate();
        while (ring.TryDequeue(line, out var stream, out var length, out var nanos, out var more))
        {
            lock (_logLock)
            {
                if (_log is { } log)
                {
                    AppendToLog(log, stream, line.AsSpan(0, length), nanos);
                    if (!more)
                    {
                        LogWrite(log.Flush);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Tests only: with BERTH_TEST_LOG_GATE naming a FIFO in berthd's environment (which every
    /// monitor inherits), a non-blocking log writer stalls until a test opens and closes it.
    /// This is how a stalled log is made without timing.
    /// </summary>
    private static void WaitForTestGate()
    {
        if (Environment.GetEnvironmentVariable("BERTH_TEST_LOG_GATE") is { Length: > 0 } gate)
        {
            try
            {
                using var fifo = new FileStream(gate, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
                fifo.CopyTo(Stream.Null);
            }
            catch (IOException)
            {
            }
        }
    }

    private void AppendToLog(LogFileWriter log, OutputStream stream, ReadOnlySpan<byte> line, long nanos)
    {
        try
        {
            log.Append(stream, line, nanos);
        }
        catch (IOException e)
        {
            LogWriteFailed(e);
        }
    }

    /// <summary>Runs a log write; call under the log lock.</summary>
    private void LogWrite(Action write)
    {
        try
        {
            write();
        }
        catch (IOException e)
        {
            LogWriteFailed(e);
            return;
        }

        if (_failedLogWrites > 0)
        {
            Warn($"log writes resumed; {_failedLogWrites} failed and their lines were dropped");
            _failedLogWrites = 0;
        }
    }

    /// <summary>
    /// A full disk must not end the monitor (and with it the container's output and its exit
    /// record): as dockerd, the lines are dropped and the error is reported, once per episode.
    /// </summary>
    private void LogWriteFailed(IOException e)
    {
        if (_failedLogWrites++ == 0)
        {
            Warn($"Error writing log message: {e.Message} (lines are dropped until writes succeed again)");
        }
    }

    /// <summary>To the monitor's own log and to berthd (wait-mode clients: its exit watcher).</summary>
    private void Warn(string message)
    {
        try
        {
            Console.Error.WriteLine($"berth-shim: {message}");
        }
        catch (IOException)
        {
        }

        var payload = System.Text.Encoding.UTF8.GetBytes(message);
        lock (_clientsLock)
        {
            foreach (var c in _clients)
            {
                if (!c.Attached)
                {
                    _ = c.SendFrame(MonitorProtocol.Warning, payload);
                }
            }
        }
    }

    private void Broadcast(byte type, ReadOnlySpan<byte> data)
    {
        lock (_clientsLock)
        {
            for (var i = _clients.Count - 1; i >= 0; i--)
            {
                var c = _clients[i];
                if (c.Attached && !c.SendFrame(type, data))
                {
                    c.Close();
                    _clients.RemoveAt(i);
                }
            }
        }
    }

    private void AcceptLoop(Socket listener)
    {
        while (true)
        {
            Socket conn;
            try
            {
                conn = listener.Accept();
            }
            catch (SocketException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            StartThread(() => ServeClient(conn));
        }
    }

    private void ServeClient(Socket conn)
    {
        var client = new MonitorClient(conn);
        var header = new byte[MonitorProtocol.HeaderSize];
        try
        {
            var mode = new byte[1];
            if (conn.Receive(mode) != 1)
            {
                client.Close();
                return;
            }

            client.Attached = mode[0] == MonitorProtocol.ModeAttach;
            lock (_clientsLock)
            {
                if (_exitPayload is { } exit)
                {
                    // The container has exited and its record is not on disk yet.
                    client.SendFrame(MonitorProtocol.Exit, exit);
                    client.Close();
                    return;
                }

                _clients.Add(client);
            }

            var payload = new byte[64 * 1024];
            while (true)
            {
                if (!ReceiveExactly(conn, header))
                {
                    break;
                }

                var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
                if (length < 0 || length > 16 << 20)
                {
                    break;
                }

                if (length > payload.Length)
                {
                    payload = new byte[length];
                }

                if (!ReceiveExactly(conn, payload.AsSpan(0, length)))
                {
                    break;
                }

                Handle(header[0], payload.AsSpan(0, length));
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        lock (_clientsLock)
        {
            _ = _clients.Remove(client);
        }

        client.Close();
    }

    private void Handle(byte type, ReadOnlySpan<byte> payload)
    {
        switch (type)
        {
            case MonitorProtocol.StdinData:
                lock (_stdinLock)
                {
                    if (_stdinFd >= 0)
                    {
                        try
                        {
                            Fd.WriteAll(_stdinFd, payload);
                        }
                        catch (ErrnoException)
                        {
                            // The container closed its stdin; nothing to deliver to.
                        }
                    }
                }

                break;
            case MonitorProtocol.StdinClose:
                lock (_stdinLock)
                {
                    if (_stdinFd >= 0 && !_stdinIsPty)
                    {
                        Fd.Close(_stdinFd);
                    }

                    _stdinFd = -1;
                }

                break;
            case MonitorProtocol.Resize:
                if (_ttyMaster >= 0)
                {
                    var text = System.Text.Encoding.ASCII.GetString(payload).Split(' ');
                    if (text.Length == 2
                        && int.TryParse(text[0], CultureInfo.InvariantCulture, out var rows)
                        && int.TryParse(text[1], CultureInfo.InvariantCulture, out var cols))
                    {
                        try
                        {
                            Fd.SetWindowSize(_ttyMaster, rows, cols);
                        }
                        catch (ErrnoException)
                        {
                        }
                    }
                }

                break;
        }
    }

    private static bool ReceiveExactly(Socket s, Span<byte> buffer)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = s.Receive(buffer[done..]);
            if (n == 0)
            {
                return false;
            }

            done += n;
        }

        return true;
    }

    private static Thread StartThread(Action action)
    {
        // Small stacks: one monitor runs per container, and these threads only copy bytes.
        var t = new Thread(() => action(), 256 * 1024) { IsBackground = true };
        t.Start();
        return t;
    }

    private static void Report(string line)
    {
        try
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(line.Replace('\n', ' ') + "\n");
            Fd.WriteAll(1, bytes);
        }
        catch (ErrnoException)
        {
            // The daemon went away while we started; the state directory still tells the story.
        }
    }
}
