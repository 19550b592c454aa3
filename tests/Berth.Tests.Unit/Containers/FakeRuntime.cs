using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Berth.Core.Errors;
using Berth.Runtime;

namespace Berth.Tests.Unit.Containers;

/// <summary>
/// A container runtime without an OS: each started container is a fake process whose exit the
/// test controls (or that exits on a signal it does not ignore), with an in-memory log.
/// </summary>
public sealed class FakeRuntime(TimeProvider time) : IContainerRuntime
{
    private readonly ConcurrentDictionary<string, FakeProcess> _processes = new();
    private int _nextPid = 1000;

    public ConcurrentQueue<ContainerLaunch> Launches { get; } = new();

    public ConcurrentQueue<(string Id, int Signal)> Signals { get; } = new();

    /// <summary>Signals the next started processes ignore (like sleep as PID 1 ignores SIGTERM).</summary>
    public HashSet<int> IgnoredSignals { get; } = [];

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
        if (StartError is { } e)
        {
            throw new BerthException(ErrorKind.Internal, e);
        }

        Launches.Enqueue(launch);
        var p = new FakeProcess(Interlocked.Increment(ref _nextPid), [.. IgnoredSignals], time);
        _processes[launch.Id] = p;
        if (StartOutput is { } output)
        {
            p.Write(OutputStream.Stdout, output);
        }

        return Task.FromResult(new RuntimeStarted(p.Pid, time.GetUtcNow()));
    }

    public Task<RuntimeStatus?> GetStatusAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_processes.TryGetValue(id, out var p)
            ? new RuntimeStatus(p.Exited ? RuntimeState.Stopped : p.Paused ? RuntimeState.Paused : RuntimeState.Running, p.Pid)
            : null);

    public async Task<RuntimeExit> WaitAsync(string id, CancellationToken cancellationToken)
    {
        if (!_processes.TryGetValue(id, out var p))
        {
            throw BerthException.NotFound($"no such container {id}");
        }

        var exit = await p.Exit.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (HoldExitReports is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return exit;
    }

    public Task KillAsync(string id, int signal, CancellationToken cancellationToken)
    {
        Signals.Enqueue((id, signal));
        if (_processes.TryGetValue(id, out var p))
        {
            if (p.Exited)
            {
                // As runc: a process that has exited cannot be signalled.
                throw BerthException.Conflict($"Container {id} is not running");
            }

            p.Signal(signal);
        }

        return Task.CompletedTask;
    }

    public Task PauseAsync(string id, CancellationToken cancellationToken)
    {
        _processes[id].Paused = true;
        return Task.CompletedTask;
    }

    public Task ResumeAsync(string id, CancellationToken cancellationToken)
    {
        _processes[id].Paused = false;
        return Task.CompletedTask;
    }

    /// <summary>When set, DeleteAsync waits for it first (a slow runtime clean-up the test releases).</summary>
    public Task? DeleteGate { get; set; }

    public ConcurrentQueue<string> Deleted { get; } = new();

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (DeleteGate is { } gate)
        {
            await gate.ConfigureAwait(false);
        }

        if (_processes.TryGetValue(id, out var p) && p.Exited)
        {
            _processes.TryRemove(id, out _);
        }

        Deleted.Enqueue(id);
    }

    public List<ContainerResources> Updates { get; } = [];

    public Task UpdateAsync(string id, ContainerResources resources, CancellationToken cancellationToken)
    {
        Updates.Add(resources);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<int>> ListPidsAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<int>>([_processes[id].Pid]);

    public Task<ContainerStatsSample> GetStatsAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(new ContainerStatsSample { Read = time.GetUtcNow(), MemoryUsage = 1024, MemoryLimit = 64 << 20, PidsCurrent = 1 });

    public Task<IAttachment> AttachAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult<IAttachment>(_processes[id].Attach());

    public Task ResizeAsync(string id, int height, int width, CancellationToken cancellationToken) => Task.CompletedTask;

    public ConcurrentQueue<ExecLaunch> Execs { get; } = new();

    public Task<IExecSession> ExecAsync(string id, ExecLaunch launch, CancellationToken cancellationToken)
    {
        if (!_processes.TryGetValue(id, out var p) || p.Exited)
        {
            throw BerthException.Conflict("container is not running");
        }

        if (launch.Args[0] == "nosuch")
        {
            throw BerthException.Invalid("exec: \"nosuch\": executable file not found in $PATH");
        }

        Execs.Enqueue(launch);
        return Task.FromResult<IExecSession>(new FakeExec(Interlocked.Increment(ref _nextPid), ExecExitCode(launch), string.Join(' ', launch.Args) + "\n"));
    }

    public async IAsyncEnumerable<LogEntry> ReadLogsAsync(string id, LogReadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var p = _processes.GetValueOrDefault(id);
        if (p is null)
        {
            yield break;
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
}

public sealed class FakeProcess
{
    private readonly TaskCompletionSource<RuntimeExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<int> _ignored;
    private readonly TimeProvider _time;
    private readonly List<LogEntry> _log = [];
    private readonly Channel<OutputChunk> _live = Channel.CreateUnbounded<OutputChunk>();
    private TaskCompletionSource _logChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeProcess(int pid, HashSet<int> ignored, TimeProvider time)
    {
        Pid = pid;
        _ignored = ignored;
        _time = time;
    }

    public int Pid { get; }

    public bool Paused { get; set; }

    public bool Exited => _exit.Task.IsCompleted;

    public Task<RuntimeExit> Exit => _exit.Task;

    public StringBuilder Stdin { get; } = new();

    public bool StdinClosed { get; private set; }

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

        _exit.TrySetResult(new RuntimeExit(code, oom, _time.GetUtcNow()));
        _live.Writer.TryComplete();
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
    }

    internal void CloseInput() => StdinClosed = true;

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
