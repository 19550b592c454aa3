namespace Berth.Runtime.Monitor;

/// <summary>
/// A container monitor holds an exclusive lock on <c>monitor.lock</c> in its state directory for
/// its whole life, from before it starts the runtime. The kernel drops the lock when the process
/// ends, however it ends, so the lock tells a berthd that comes back after a crash what the
/// socket alone cannot: a monitor with no socket yet may still be inside <c>runc run</c> (alive,
/// its outcome still to come) or gone (a start that died half-way). The lock is the advisory
/// lock FileShare.None takes on Unix (flock), opened close-on-exec: runc and the container never
/// inherit it.
/// </summary>
public static class MonitorLock
{
    public const string FileName = "monitor.lock";

    /// <summary>Takes the lock for the life of the returned stream (the monitor's, until it exits).</summary>
    public static FileStream Hold(string stateDir) =>
        new(Path.Combine(stateDir, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

    /// <summary>True while a live monitor holds the lock of <paramref name="stateDir"/>; false when there is no lock file or nobody holds it.</summary>
    public static bool IsHeld(string stateDir)
    {
        try
        {
            using var probe = new FileStream(Path.Combine(stateDir, FileName), FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            // EWOULDBLOCK from flock: "being used by another process".
            return true;
        }
    }
}
