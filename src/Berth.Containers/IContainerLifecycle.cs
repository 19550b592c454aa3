using Berth.Core.Filters;

namespace Berth.Containers;

/// <summary>
/// The /containers state routes (moby's stateBackend and systemBackend): start, stop, kill,
/// restart, pause, wait, rename, update, remove and prune. Every change of one container is
/// serialised by that container's lock and published in the snapshot that the queries read.
/// </summary>
public interface IContainerLifecycle : IContainerLookup
{
    Task StartAsync(string idOrName, CancellationToken cancellationToken);

    /// <summary>
    /// Sends the stop signal (StopSignal or SIGTERM, or <paramref name="signal"/>), waits
    /// <paramref name="timeoutSeconds"/> (container's StopTimeout, else the daemon default; negative waits
    /// forever), then SIGKILLs. NotModified when the container is not running.
    /// </summary>
    Task StopAsync(string idOrName, int? timeoutSeconds, string? signal, CancellationToken cancellationToken);

    Task RestartAsync(string idOrName, int? timeoutSeconds, string? signal, CancellationToken cancellationToken);

    /// <summary>
    /// Sends a signal (name or number; default SIGKILL, which also waits for the exit).
    /// Conflict "container x is not running" when it is not.
    /// </summary>
    Task KillAsync(string idOrName, string? signal, CancellationToken cancellationToken);

    Task PauseAsync(string idOrName, CancellationToken cancellationToken);

    Task UnpauseAsync(string idOrName, CancellationToken cancellationToken);

    /// <summary>
    /// Registers a wait now (the condition is measured from this call, so a client that waits
    /// before starting a container cannot miss its exit) and returns the task that completes
    /// with the exit code.
    /// </summary>
    Task<WaitResult> WaitAsync(string idOrName, WaitCondition condition, CancellationToken cancellationToken);

    Task RenameAsync(string idOrName, string newName, CancellationToken cancellationToken);

    /// <summary>Changes resource limits (applied at once to a running container) and/or the restart policy.</summary>
    Task<IReadOnlyList<string>> UpdateAsync(string idOrName, ContainerUpdate update, CancellationToken cancellationToken);

    /// <summary>Removes a container: Conflict when it runs (unless <paramref name="force"/>, which kills it first).</summary>
    Task RemoveAsync(string idOrName, bool force, bool removeVolumes, CancellationToken cancellationToken);

    /// <summary>docker rm --link: removes the legacy link "/parent/alias".</summary>
    Task RemoveLinkAsync(string name, CancellationToken cancellationToken);

    /// <summary>Removes stopped containers (created, exited, dead) matching label/label!/until filters.</summary>
    Task<PruneResult> PruneAsync(FilterSet filters, CancellationToken cancellationToken);
}
