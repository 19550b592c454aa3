namespace Berth.Runtime;

/// <summary>
/// The seam between the container service and the OS: OCI bundles, the OCI runtime (runc/crun)
/// and the per-container monitor that holds stdio, logs and the exit status so containers outlive
/// a daemon restart. One implementation runs for real (runc + monitor); component tests use a fake.
/// Container IDs are the engine's 64-hex IDs. Every method is safe to call concurrently for
/// different containers; the container service serialises calls for one container.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>
    /// Writes the bundle, starts the monitor and the container's process and returns once the
    /// process runs (pid known) or has failed to start (BerthException with the runtime's message,
    /// e.g. "exec: \"nosuch\": executable file not found in $PATH" as InvalidArgument... see notes).
    /// </summary>
    Task<RuntimeStarted> StartAsync(ContainerLaunch launch, CancellationToken cancellationToken);

    /// <summary>Observed state of a container's process; <c>null</c> when the runtime knows nothing of it.</summary>
    Task<RuntimeStatus?> GetStatusAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when the container's main process has exited (also when it exited while the
    /// daemon was down), with its exit code and whether the kernel OOM-killed it.
    /// </summary>
    Task<RuntimeExit> WaitAsync(string id, CancellationToken cancellationToken);

    Task KillAsync(string id, int signal, CancellationToken cancellationToken);

    Task PauseAsync(string id, CancellationToken cancellationToken);

    Task ResumeAsync(string id, CancellationToken cancellationToken);

    /// <summary>Removes the runtime's state and the bundle of a stopped container (idempotent).</summary>
    Task DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Changes cgroup limits of a running container.</summary>
    Task UpdateAsync(string id, ContainerResources resources, CancellationToken cancellationToken);

    /// <summary>Host PIDs of every process in the container (for top).</summary>
    Task<IReadOnlyList<int>> ListPidsAsync(string id, CancellationToken cancellationToken);

    /// <summary>One sample of cgroup counters (cgroup v1 or v2, whichever the host has).</summary>
    Task<ContainerStatsSample> GetStatsAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Connects to the running container's stdio through its monitor. Output arrives as
    /// (stream, bytes) chunks; input written goes to the container's stdin when it was started
    /// with OpenStdin. Disposing detaches without affecting the container.
    /// </summary>
    Task<IAttachment> AttachAsync(string id, CancellationToken cancellationToken);

    /// <summary>Sets the terminal size of a container started with a TTY.</summary>
    Task ResizeAsync(string id, int height, int width, CancellationToken cancellationToken);

    /// <summary>Starts an extra process in a running container.</summary>
    Task<IExecSession> ExecAsync(string id, ExecLaunch launch, CancellationToken cancellationToken);

    /// <summary>Reads the container's log (what its stdout/stderr produced), oldest first.</summary>
    IAsyncEnumerable<LogEntry> ReadLogsAsync(string id, LogReadOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// After a daemon restart: the IDs of containers whose monitor is still alive (their process
    /// may have exited meanwhile: <see cref="WaitAsync"/> then completes at once).
    /// </summary>
    Task<IReadOnlyList<string>> RecoverAsync(CancellationToken cancellationToken);
}
