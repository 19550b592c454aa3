using Berth.Core.Errors;
using Berth.Runtime;

namespace Berth.Daemon.Http.Containers;

/// <summary>
/// Stands in when this build has no container runtime registered: the daemon still serves
/// everything else, and container operations fail with a clear 503 instead of a crash.
/// </summary>
internal sealed class MissingRuntime : IContainerRuntime
{
    private static BerthException Unavailable() => new(ErrorKind.Unavailable, "no container runtime is available in this build of berthd");

    public Task<RuntimeStarted> StartAsync(ContainerLaunch launch, CancellationToken cancellationToken) => throw Unavailable();

    public Task<RuntimeStatus?> GetStatusAsync(string id, CancellationToken cancellationToken) => Task.FromResult<RuntimeStatus?>(null);

    public Task<RuntimeExit> WaitAsync(string id, CancellationToken cancellationToken) => throw Unavailable();

    public Task KillAsync(string id, int signal, CancellationToken cancellationToken) => throw Unavailable();

    public Task PauseAsync(string id, CancellationToken cancellationToken) => throw Unavailable();

    public Task ResumeAsync(string id, CancellationToken cancellationToken) => throw Unavailable();

    public Task DeleteAsync(string id, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UpdateAsync(string id, ContainerResources resources, CancellationToken cancellationToken) => throw Unavailable();

    public Task<IReadOnlyList<int>> ListPidsAsync(string id, CancellationToken cancellationToken) => throw Unavailable();

    public Task<ContainerStatsSample> GetStatsAsync(string id, CancellationToken cancellationToken) => throw Unavailable();

    public Task<IAttachment> AttachAsync(string id, CancellationToken cancellationToken) => throw Unavailable();

    public Task ResizeAsync(string id, int height, int width, CancellationToken cancellationToken) => throw Unavailable();

    public Task<IExecSession> ExecAsync(string id, ExecLaunch launch, CancellationToken cancellationToken) => throw Unavailable();

    public IAsyncEnumerable<LogEntry> ReadLogsAsync(string id, LogReadOptions options, CancellationToken cancellationToken) => throw Unavailable();

    public Task<IReadOnlyList<string>> RecoverAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);
}
