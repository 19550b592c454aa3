namespace Berth.Containers;

/// <summary>The condition of POST /containers/{id}/wait.</summary>
public enum WaitCondition
{
    /// <summary>Until the container is not running (at once when it is created or exited).</summary>
    NotRunning,

    /// <summary>Until the next exit after the wait was registered.</summary>
    NextExit,

    /// <summary>Until the container is removed.</summary>
    Removed,
}
