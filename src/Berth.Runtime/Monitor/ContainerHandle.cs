using System.Globalization;
using System.Text;
using Berth.Platform.Processes;

namespace Berth.Runtime.Monitor;

/// <summary>What the runtime knows about one container it started or recovered.</summary>
internal sealed class ContainerHandle
{
    private readonly object _gate = new();
    private Task<RuntimeExit>? _exit;
    private MonitorAttachment? _control;
    private readonly Action<string>? _warn;

    public ContainerHandle(string id, string stateDir, MonitorConfig config, ChildProcess? monitor, Action<string>? warn = null)
    {
        _warn = warn;
        Id = id;
        StateDir = stateDir;
        Config = config;
        Monitor = monitor;
    }

    public string Id { get; }

    public string StateDir { get; }

    public MonitorConfig Config { get; }

    /// <summary>The monitor when this daemon process started it (so it must reap it); null after a restart.</summary>
    public ChildProcess? Monitor { get; }

    public string ExitFile => Path.Combine(StateDir, ExitRecord.FileName);

    public ExitRecord? ReadExitRecord()
    {
        try
        {
            return ExitRecord.TryParse(File.ReadAllText(ExitFile));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public int ReadInitPid()
    {
        try
        {
            return int.Parse(File.ReadAllText(Path.Combine(StateDir, "init.pid")).Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
        catch (FormatException)
        {
            return 0;
        }
    }

    /// <summary>One watcher per container: a wait-mode connection to the monitor, also used to send resizes.</summary>
    public Task<RuntimeExit> ExitTask
    {
        get
        {
            lock (_gate)
            {
                return _exit ??= WatchAsync();
            }
        }
    }

    public async Task SendResizeAsync(int height, int width, CancellationToken cancellationToken)
    {
        _ = ExitTask;
        MonitorAttachment? control;
        for (var i = 0; ; i++)
        {
            lock (_gate)
            {
                control = _control;
            }

            if (control is not null || ExitTask.IsCompleted || i > 100)
            {
                break;
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }

        if (control is null)
        {
            return;
        }

        var payload = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{height} {width}"));
        try
        {
            await control.SendFrameAsync(MonitorProtocol.Resize, payload, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }

    private async Task<RuntimeExit> WatchAsync()
    {
        if (ReadExitRecord() is { } done)
        {
            ReapMonitor();
            return done.ToRuntimeExit();
        }

        try
        {
            var conn = await MonitorAttachment.ConnectAsync(Config.SocketPath, MonitorProtocol.ModeWait, CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _control = conn;
            }

            await foreach (var (type, payload) in conn.ReadFramesAsync(CancellationToken.None).ConfigureAwait(false))
            {
                if (type == MonitorProtocol.Exit && ExitRecord.TryParse(Encoding.ASCII.GetString(payload.Span)) is { } record)
                {
                    ReapMonitor();
                    return record.ToRuntimeExit();
                }

                if (type == MonitorProtocol.Warning)
                {
                    _warn?.Invoke($"container {Id}: {Encoding.UTF8.GetString(payload.Span)}");
                }
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            // Monitor gone: its exit file (if any) is the truth.
        }
        finally
        {
            MonitorAttachment? c;
            lock (_gate)
            {
                c = _control;
                _control = null;
            }

            if (c is not null)
            {
                await c.DisposeAsync().ConfigureAwait(false);
            }
        }

        ReapMonitor();
        if (ReadExitRecord() is { } record2)
        {
            return record2.ToRuntimeExit();
        }

        // The monitor died without recording an exit (killed by hand): report the container
        // as failed rather than hang a waiter forever.
        return new RuntimeExit(255, false, DateTimeOffset.UtcNow);
    }

    private void ReapMonitor()
    {
        if (Monitor is null)
        {
            return;
        }

        // The monitor exits right after reporting; reap it off the hot path.
        _ = Monitor.WaitAsync();
    }
}
