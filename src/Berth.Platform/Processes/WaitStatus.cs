namespace Berth.Platform.Processes;

/// <summary>Decodes a wait(2) status the way shells and Docker report it.</summary>
public static class WaitStatus
{
    /// <summary>Exit code for a normal exit; 128+N for death by signal N (SIGKILL → 137, SIGTERM → 143).</summary>
    public static int ToExitCode(int status)
    {
        var termSig = status & 0x7f;
        if (termSig == 0)
        {
            return (status >> 8) & 0xff;
        }

        if (termSig == 0x7f)
        {
            // Stopped, not exited: callers only ask after an exit, treat as still an error.
            return 255;
        }

        return 128 + termSig;
    }
}
