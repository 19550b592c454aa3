using Berth.Containers.Exec;
using Berth.Containers.Streams;

namespace Berth.Containers;

/// <summary>POST /containers/{id}/exec and the /exec/{id} routes (moby's execBackend).</summary>
public interface IContainerExec : IContainerLookup
{
    ExecInstance CreateExec(string idOrName, ExecCreateRequest request);

    /// <summary>NotFound "No such exec instance: x" when unknown (or collected).</summary>
    ExecInstance GetExec(string execId);

    /// <summary>
    /// Starts an exec instance. Detached: returns once it runs. Attached: pumps
    /// <paramref name="input"/> to its stdin and its output to <paramref name="output"/> until it ends
    /// (or the client detaches with the detach keys) and records the exit code.
    /// </summary>
    Task StartExecAsync(string execId, bool detach, IReadOnlyList<int>? consoleSize, Stream? input, OutputWriter? output, CancellationToken cancellationToken);

    Task ResizeExecAsync(string execId, int height, int width, CancellationToken cancellationToken);
}
