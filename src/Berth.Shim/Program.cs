namespace Berth.Shim;

/// <summary>
/// berth-shim run &lt;state-dir&gt;   — monitor one container (stdio, logs, exit status).
/// berth-shim exec &lt;args…&gt;       — run one exec process and report its exit.
/// berth-shim spare                — loaded ahead of need: waits on its socket (SpareProtocol) for one of the above.
/// Started by berthd; outlives it. Reports its start result on fd 1 ("P pid" / "E message").
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args is ["spare"])
        {
            var work = SpareStart.WaitForWork();
            if (work is null)
            {
                return 0;
            }

            args = work;
        }

        if (args.Length >= 2 && args[0] == "run")
        {
            return new ContainerMonitor(args[1]).Run();
        }

        if (args.Length >= 1 && args[0] == "exec")
        {
            return ExecMonitor.Run(args[1..]);
        }

        Console.Error.WriteLine("usage: berth-shim run <state-dir> | exec <runtime> <root> <id> <process.json> <state-prefix> <tty 0|1> <container-pid> <bundle-dir>");
        return 2;
    }
}
