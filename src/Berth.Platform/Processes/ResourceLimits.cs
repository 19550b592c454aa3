using System.Runtime.InteropServices;
using Berth.Platform.Native;

namespace Berth.Platform.Processes;

/// <summary>Resource limits (setrlimit) of the current process, inherited by what it starts.</summary>
public static unsafe class ResourceLimits
{
    private static readonly string[] Names =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE",
        "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    /// <summary>Kernel resource number of an OCI rlimit type ("RLIMIT_NOFILE"), or -1.</summary>
    public static int Resource(string type) => Array.IndexOf(Names, type);

    public static void SetForCurrentProcess(int resource, ulong soft, ulong hard)
    {
        var limit = stackalloc ulong[2];
        limit[0] = soft;
        limit[1] = hard;
        if (Libc.prlimit(0, resource, limit, null) != 0)
        {
            throw new ErrnoException($"error setting rlimit type {resource}", Marshal.GetLastPInvokeError());
        }
    }
}
