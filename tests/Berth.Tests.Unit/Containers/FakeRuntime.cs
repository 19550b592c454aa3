using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Berth.Core.Errors;
using Berth.Runtime;
using Berth.Runtime.Monitor;

namespace Berth.Tests.Unit.Containers;

/// <summary>
/// A container runtime without an OS. It keeps the contract of <see cref="IContainerRuntime"/>
/// (states, error kinds and messages for unknown, invalid and stopped containers), which
/// <c>FakeRuntimeConformanceTests</c> checks with the same suite RuncRuntime passes. Processes
/// are of two kinds: by default each one runs until the test ends it (<see cref="FakeProcess.ExitWith"/>)
/// or a signal it does not ignore; with <see cref="RunsPrograms"/> the few busybox programs the
/// conformance suite uses (<see cref="FakePrograms"/>) run as they would in a container.
/// </summary>
public sealed class FakeRuntime(TimeProvider time) : IContainerRuntime
{
    private readonly ConcurrentDictionary<string, FakeProcess> _processes = new();
    private int _nextPid = 1000;

    public ConcurrentQueue<ContainerLaunch> Launches { get; } = new();

    public ConcurrentQueue<(string Id, int Signal)> Signals { get; } = new();

    /// <summary>Signals the next started processes ignore (like sleep as PID 1 ignores SIGTERM).</summary>
    public HashSet<int> IgnoredSignals { get; } = [];

    /// <summary>OCI runtimes the fake knows by name (RuncRuntime: its configured runtimes).</summary>
    public HashSet<string> RuntimeNames { get; } = ["runc"];

    /// <summary>Executables that do not exist in any container: starting or exec'ing one fails as runc does.</summary>
    public HashSet<string> MissingExecutables { get; } = ["nosuch", "nosuchcmd"];

    /// <summary>Run the launched programs (busybox subset) instead of waiting for the test to end them.</summary>
    public bool RunsPrograms { get; init; }

    /// <summary>When set, StartAsync fails with this message.</summary>
    public string? StartError { get; set; }

    /// <summary>Output each started process writes at once.</summary>
    public string? StartOutput { get; set; }

    /// <summary>Exec: returns this exit code (by the first argument), default 0.</summary>
    public Func<ExecLaunch, int> ExecExitCode { get; set; } = _ => 0;

    public HashSet<string> AliveAfterRestart { get; } = [];

    /// <summary>When set, exits are reported by WaitAsync only once this completes (the monitor saw the exit, the engine not yet).</summary>
    public TaskCompletionSource? HoldExitReports { get; set; }

    public FakeProcess Process(string id) => _processes[id];

    public bool HasProcess(string id) => _processes.ContainsKey(id);

    public Task<RuntimeStarted> StartAsync(ContainerLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ValidateId(launch.Id);
        if (StartError is { } e)
        {
            throw new BerthException(ErrorKind.Internal, e);
        }

        var runtime = launch.Runtime.Length > 0 ? launch.Runtime : "runc";
        if (!RuntimeNames.Contains(runtime))
        {
            throw BerthException.Invalid($"unknown or invalid runtime name: {runtime}");
        }

        if (_processes.TryGetValue(launch.Id, out var existing) && !existing.Exited)
        {
            throw BerthException.Conflict($"container {launch.Id} is already running");
        }

        if (MissingExecutables.Contains(launch.Process.Args[0]))
        {
            throw StartErrors.ForCreate(runtime, $"{runtime} create failed: unable to start container process: exec: \"{launch.Process.Args[0]}\": executable file not found in $PATH");
        }

        Launches.Enqueue(launch);
        var p = new FakeProcess(Interlocked.Increment(ref _nextPid), [.. IgnoredSignals], time)
        {
            LogDriver = launch.LogDriver,
            Tty = launch.Process.Tty,
        };
        if (!launch.Process.OpenStdin)
        {
            p.CloseInput();
        }

        _processes[launch.Id] = p;
        if (StartOutput is { } output)
        {
            p.Write(OutputStream.Stdout, output);
        }

        if (RunsPrograms)
        {
            _ = RunMainAsync(p, launch.Process.Args);
        }

        return Task.FromResult(new RuntimeStarted(p.Pid, time.GetUtcNow()));
    }

    private static async Task RunMainAsync(FakeProcess p, IReadOnlyList<string> args)
    {
        var code = await FakePrograms.RunAsync(args, p.Write, p.StdinReader, p.Exit).ConfigureAwait(false);
        p.ExitWith(code);
    }

    public Task<RuntimeStatus?> GetStatusAsync(string id, CancellationToken cancellationToken)
    {
        ValidateId(id);
        return Task.FromResult(_processes.TryGetValue(id, out var p)
            ? new RuntimeStatus(p.Exited ? RuntimeState.Stopped : p.Paused ? RuntimeState.Paused : RuntimeState.Running, p.Pid)
            : null);
    }

    public async Task<RuntimeExit> WaitAsync(string id, CancellationToken cancellationToken)
    {
        var p = Require(id);
        var exit = await p.Exit.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (HoldExitReports is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return exit;
    }

    public Task KillAsync(string id, int signal, CancellationToken cancellationToken)
    {
        var p = Require(id);
        Signals.Enqueue((id, signal));
        if (p.Exited)
        {
            // As runc: a process that has exited cannot be signalled.
            throw NotRunning(id);
        }

        p.Signal(signal);
        return Task.CompletedTask;
    }

    public Task PauseAsync(string id, CancellationToken cancellationToken)
    {
        RequireRunning(id).Paused = true;
        return Task.CompletedTask;
    }

    public Task ResumeAsync(string id, CancellationToken cancellationToken)
    {
        RequireRunning(id).Paused = false;
        return Task.CompletedTask;
    }

    /// <summary>When set, DeleteAsync waits for it first (a slow runtime clean-up the test releases).</summary>
    public Task? DeleteGate { get; set; }

    public ConcurrentQueue<string> Deleted { get; } = new();

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        ValidateId(id);
        if (DeleteGate is { } gate)
        {
            await gate.ConfigureAwait(false);
        }

        if (_processes.TryRemove(id, out var p))
        {
            p.Signal(9); // as `runc delete --force`
        }

        Deleted.Enqueue(id);
    }

    public List<ContainerResources> Updates { get; } = [];

    public Task UpdateAsync(string id, ContainerResources resources, CancellationToken cancellationToken)
    {
        RequireRunning(id);
        lock (Updates)
        {
            Updates.Add(resources);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<int>> ListPidsAsync(string id, CancellationToken cancellationToken)
    {
        var p = Require(id);
        return Task.FromResult<IReadOnlyList<int>>(p.Exited ? [] : [p.Pid]);
    }

    public Task<ContainerStatsSample> GetStatsAsync(string id, CancellationToken cancellationToken)
    {
        Require(id);
        return Task.FromResult(new ContainerStatsSample { Read = time.GetUtcNow(), MemoryUsage = 1024, MemoryLimit = 64 << 20, PidsCurrent = 1 });
    }

    public Task<IAttachment> AttachAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(RequireRunning(id).Attach());

    public Task ResizeAsync(string id, int height, int width, CancellationToken cancellationToken)
    {
        if (!RequireRunning(id).Tty)
        {
            throw BerthException.Conflict($"Container {id} does not have a TTY");
        }

        return Task.CompletedTask;
    }

    public ConcurrentQueue<ExecLaunch> Execs { get; } = new();

    public Task<IExecSession> ExecAsync(string id, ExecLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        RequireRunning(id);
        if (MissingExecutables.Contains(launch.Args[0]))
        {
            throw StartErrors.ForExec($"exec failed: unable to start container process: exec: \"{launch.Args[0]}\": executable file not found in $PATH");
        }

        Execs.Enqueue(launch);
        var pid = Interlocked.Increment(ref _nextPid);
        return Task.FromResult<IExecSession>(RunsPrograms
            ? new ProgramExec(pid, launch)
            : new FakeExec(pid, ExecExitCode(launch), string.Join(' ', launch.Args) + "\n"));
    }

    public async IAsyncEnumerable<LogEntry> ReadLogsAsync(string id, LogReadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateId(id);
        var p = _processes.GetValueOrDefault(id);
        if (p is null)
        {
            yield break;
        }

        if (p.LogDriver != "json-file")
        {
            throw BerthException.Invalid("configured logging driver does not support reading");
        }

        var seen = 0;
        while (true)
        {
            var changed = p.LogChanged;
            var entries = p.Log;
            for (; seen < entries.Count; seen++)
            {
                var e = entries[seen];
                if ((options.Since is { } s && e.Time < s) || (e.Stream == OutputStream.Stdout && !options.Stdout) || (e.Stream == OutputStream.Stderr && !options.Stderr))
                {
                    continue;
                }

                yield return e;
            }

            if (!options.Follow || p.Exited)
            {
                yield break;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<IReadOnlyList<string>> RecoverAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. AliveAfterRestart]);

    /// <summary>Registers a process that survived a daemon restart (for live-restore tests).</summary>
    public FakeProcess Survivor(string id, int pid)
    {
        var p = new FakeProcess(pid, [], time);
        _processes[id] = p;
        AliveAfterRestart.Add(id);
        return p;
    }

    private FakeProcess Require(string id)
    {
        ValidateId(id);
        return _processes.TryGetValue(id, out var p) ? p : throw BerthException.NotFound($"No such container: {id}");
    }

    private FakeProcess RequireRunning(string id)
    {
        var p = Require(id);
        return p.Exited ? throw NotRunning(id) : p;
    }

    private static BerthException NotRunning(string id) => BerthException.Conflict($"Container {id} is not running");

    /// <summary>The same rule as RuncRuntime: an id names one directory, never a path.</summary>
    private static void ValidateId(string id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 128 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')) || id[0] == '.')
        {
            throw BerthException.Invalid($"invalid container id: {id}");
        }
    }
}

public sealed class FakeProcess
{
    private readonly TaskCompletionSource<RuntimeExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<int> _ignored;
    private readonly TimeProvider _time;
    private readonly List<LogEntry> _log = [];
    private readonly Channel<OutputChunk> _live = Channel.CreateUnbounded<OutputChunk>();
    private readonly Channel<ReadOnlyMemory<byte>> _stdin = Channel.CreateUnbounded<ReadOnlyMemory<byte>>();
    private TaskCompletionSource _logChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeProcess(int pid, HashSet<int> ignored, TimeProvider time)
    {
        Pid = pid;
        _ignored = ignored;
        _time = time;
    }

    public int Pid { get; }

    public bool Paused { get; set; }

    public string LogDriver { get; init; } = "json-file";

    public bool Tty { get; init; }

    public bool Exited => _exit.Task.IsCompleted;

    public Task<RuntimeExit> Exit => _exit.Task;

    public StringBuilder Stdin { get; } = new();

    public bool StdinClosed { get; private set; }

    public ChannelReader<ReadOnlyMemory<byte>> StdinReader => _stdin.Reader;

    public List<LogEntry> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    public Task LogChanged
    {
        get
        {
            lock (_log)
            {
                return _logChanged.Task;
            }
        }
    }

    public void Write(OutputStream stream, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        TaskCompletionSource old;
        lock (_log)
        {
            _log.Add(new LogEntry(stream, _time.GetUtcNow(), bytes));
            old = _logChanged;
            _logChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _live.Writer.TryWrite(new OutputChunk(stream, bytes));
        old.TrySetResult();
    }

    public void ExitWith(int code, bool oom = false)
    {
        TaskCompletionSource old;
        lock (_log)
        {
            old = _logChanged;
            _logChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Paused = false;
        _exit.TrySetResult(new RuntimeExit(code, oom, _time.GetUtcNow()));
        _live.Writer.TryComplete();
        _stdin.Writer.TryComplete();
        old.TrySetResult();
    }

    public void Signal(int signal)
    {
        if (!_ignored.Contains(signal) || signal == 9)
        {
            ExitWith(128 + signal);
        }
    }

    public IAttachment Attach() => new FakeAttachment(this, _live.Reader);

    internal void Input(ReadOnlyMemory<byte> data)
    {
        lock (Stdin)
        {
            Stdin.Append(Encoding.UTF8.GetString(data.Span));
        }

        _stdin.Writer.TryWrite(data.ToArray());
    }

    internal void CloseInput()
    {
        StdinClosed = true;
        _stdin.Writer.TryComplete();
    }

    private sealed class FakeAttachment(FakeProcess p, ChannelReader<OutputChunk> live) : IAttachment
    {
        public async IAsyncEnumerable<OutputChunk> ReadOutputAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var c in live.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return c;
            }
        }

        public ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            p.Input(data);
            return ValueTask.CompletedTask;
        }

        public ValueTask CloseInputAsync(CancellationToken cancellationToken)
        {
            p.CloseInput();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

internal sealed class FakeExec(int pid, int exitCode, string output) : IExecSession
{
    public int Pid => pid;

    public StringBuilder Input { get; } = new();

    public async IAsyncEnumerable<OutputChunk> ReadOutputAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        yield return new OutputChunk(OutputStream.Stdout, Encoding.UTF8.GetBytes(output));
    }

    public ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Input.Append(Encoding.UTF8.GetString(data.Span));
        return ValueTask.CompletedTask;
    }

    public ValueTask CloseInputAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public Task ResizeAsync(int height, int width, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<int> WaitAsync(CancellationToken cancellationToken) => Task.FromResult(exitCode);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>An exec'd program run by <see cref="FakePrograms"/>.</summary>
internal sealed class ProgramExec : IExecSession
{
    private readonly Channel<OutputChunk> _output = Channel.CreateUnbounded<OutputChunk>();
    private readonly Channel<ReadOnlyMemory<byte>> _stdin = Channel.CreateUnbounded<ReadOnlyMemory<byte>>();
    private readonly TaskCompletionSource<RuntimeExit> _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task<int> _exit;

    public ProgramExec(int pid, ExecLaunch launch)
    {
        Pid = pid;
        if (!launch.AttachStdin)
        {
            _stdin.Writer.TryComplete();
        }

        _exit = RunAsync(launch.Args);
    }

    public int Pid { get; }

    private async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        await Task.Yield();
        var code = await FakePrograms.RunAsync(args, (s, text) => _output.Writer.TryWrite(new OutputChunk(s, Encoding.UTF8.GetBytes(text))), _stdin.Reader, _killed.Task).ConfigureAwait(false);
        _output.Writer.TryComplete();
        return code;
    }

    public IAsyncEnumerable<OutputChunk> ReadOutputAsync(CancellationToken cancellationToken) => _output.Reader.ReadAllAsync(cancellationToken);

    public ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => _stdin.Writer.WriteAsync(data.ToArray(), cancellationToken);

    public ValueTask CloseInputAsync(CancellationToken cancellationToken)
    {
        _stdin.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    public Task ResizeAsync(int height, int width, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<int> WaitAsync(CancellationToken cancellationToken) => _exit.WaitAsync(cancellationToken);

    public ValueTask DisposeAsync()
    {
        _killed.TrySetResult(new RuntimeExit(137, false, DateTimeOffset.UnixEpoch));
        return ValueTask.CompletedTask;
    }
}
