namespace Berth.Runtime;

public enum OutputStream
{
    Stdout = 1,
    Stderr = 2,
}

/// <summary>A chunk of a container's output.</summary>
public readonly record struct OutputChunk(OutputStream Stream, ReadOnlyMemory<byte> Data);

/// <summary>A live connection to a running container's stdio (see IContainerRuntime.AttachAsync).</summary>
public interface IAttachment : IAsyncDisposable
{
    /// <summary>Output as it is produced; completes when the container's stdio closes (process exit).</summary>
    IAsyncEnumerable<OutputChunk> ReadOutputAsync(CancellationToken cancellationToken);

    /// <summary>Writes to the container's stdin.</summary>
    ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Closes the container's stdin (EOF for the process) — only when it was started with StdinOnce or by the client's close.</summary>
    ValueTask CloseInputAsync(CancellationToken cancellationToken);
}

public sealed record ExecLaunch
{
    public required IReadOnlyList<string> Args { get; init; }

    public IReadOnlyList<string> Env { get; init; } = [];

    public string Cwd { get; init; } = string.Empty;

    public string User { get; init; } = string.Empty;

    public bool Tty { get; init; }

    public bool AttachStdin { get; init; }

    public bool Privileged { get; init; }
}

/// <summary>An exec'd process: its stdio and exit.</summary>
public interface IExecSession : IAsyncDisposable
{
    int Pid { get; }

    IAsyncEnumerable<OutputChunk> ReadOutputAsync(CancellationToken cancellationToken);

    ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    ValueTask CloseInputAsync(CancellationToken cancellationToken);

    Task ResizeAsync(int height, int width, CancellationToken cancellationToken);

    /// <summary>Exit code of the process (126/127 conventions for exec failures as Docker reports them).</summary>
    Task<int> WaitAsync(CancellationToken cancellationToken);
}

public sealed record LogReadOptions
{
    public bool Stdout { get; init; } = true;

    public bool Stderr { get; init; } = true;

    /// <summary>Keep reading new entries until the container stops or the token is cancelled.</summary>
    public bool Follow { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    /// <summary>Only the last N lines; null = all.</summary>
    public int? Tail { get; init; }

    /// <summary>
    /// The container's log driver when the caller knows it: the runtime's own record of it (the
    /// monitor's config) is gone once the runtime state is (a reboot clears the exec-root).
    /// </summary>
    public string? Driver { get; init; }
}

/// <summary>One log line (including its trailing newline when it had one) with its time.</summary>
public readonly record struct LogEntry(OutputStream Stream, DateTimeOffset Time, ReadOnlyMemory<byte> Line);

public sealed record ContainerStatsSample
{
    public DateTimeOffset Read { get; init; }

    public ulong CpuTotalNanos { get; init; }

    public ulong CpuUserNanos { get; init; }

    public ulong CpuSystemNanos { get; init; }

    public IReadOnlyList<ulong> PerCpuNanos { get; init; } = [];

    /// <summary>Host-wide CPU time (from /proc/stat) at the same moment, for percentages.</summary>
    public ulong SystemCpuNanos { get; init; }

    public int OnlineCpus { get; init; }

    public ulong MemoryUsage { get; init; }

    public ulong MemoryLimit { get; init; }

    public ulong MemoryMaxUsage { get; init; }

    public IReadOnlyDictionary<string, ulong> MemoryStats { get; init; } = new Dictionary<string, ulong>();

    public ulong PidsCurrent { get; init; }

    public ulong PidsLimit { get; init; }

    public ulong BlkioReadBytes { get; init; }

    public ulong BlkioWriteBytes { get; init; }

    /// <summary>Interface name → (rx bytes, rx packets, tx bytes, tx packets) from the container's netns.</summary>
    public IReadOnlyDictionary<string, (ulong RxBytes, ulong RxPackets, ulong TxBytes, ulong TxPackets)> Networks { get; init; } =
        new Dictionary<string, (ulong, ulong, ulong, ulong)>();
}
