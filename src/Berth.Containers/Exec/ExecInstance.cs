using Berth.Runtime;

namespace Berth.Containers.Exec;

/// <summary>An exec instance: what to run, and once started its pid, whether it runs and its exit code.</summary>
public sealed class ExecInstance
{
    private readonly Lock _lock = new();

    public ExecInstance(string id, string containerId, ExecCreateRequest request)
    {
        Id = id;
        ContainerId = containerId;
        Request = request;
    }

    public string Id { get; }

    public string ContainerId { get; }

    public ExecCreateRequest Request { get; }

    public bool Running { get; private set; }

    public int? ExitCode { get; private set; }

    public int Pid { get; private set; }

    public bool Started { get; private set; }

    /// <summary>Ended and seen so by a collection round: the next round drops it (inspect's CanRemove).</summary>
    public bool CanRemove { get; private set; }

    internal IExecSession? Session { get; private set; }

    /// <summary>Marks the instance as starting; false when it already ran or runs.</summary>
    internal bool TryBegin()
    {
        lock (_lock)
        {
            if (Started)
            {
                return false;
            }

            Started = true;
            return true;
        }
    }

    internal void SetRunning(IExecSession session)
    {
        lock (_lock)
        {
            Session = session;
            Pid = session.Pid;
            Running = true;
        }
    }

    internal void MarkRemovable()
    {
        lock (_lock)
        {
            CanRemove = true;
        }
    }

    internal void SetExited(int exitCode)
    {
        lock (_lock)
        {
            Running = false;
            ExitCode = exitCode;
            Session = null;
        }
    }
}
