using Berth.Containers.Streams;
using Berth.Runtime;

namespace Berth.Containers;

/// <summary>Logs, attach (plain and websocket) and TTY resize: the routes that stream a container's stdio.</summary>
public interface IContainerStreams : IContainerLookup
{
    /// <summary>The container's log; NotImplemented for the "none" driver; a follow ends when the container stops.</summary>
    IAsyncEnumerable<LogEntry> ReadLogsAsync(string idOrName, LogReadOptions options, CancellationToken cancellationToken);

    /// <summary>Checks an attach before the connection is hijacked (errors can still be HTTP errors).</summary>
    AttachPlan PrepareAttach(string idOrName, AttachRequest request);

    /// <summary>Runs an attach: replays the log when asked, then streams output until the process ends or the client detaches.</summary>
    Task RunAttachAsync(AttachPlan plan, Stream? input, OutputWriter output, CancellationToken cancellationToken);

    Task ResizeAsync(string idOrName, int height, int width, CancellationToken cancellationToken);
}
