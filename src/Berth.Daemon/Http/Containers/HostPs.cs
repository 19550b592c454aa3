using Berth.Core.Errors;

namespace Berth.Daemon.Http.Containers;

/// <summary>Runs the host's ps for docker top (through Berth.Platform's process runner).</summary>
public static class HostPs
{
    public static Task<string> RunAsync(string psArgs, CancellationToken cancellationToken)
    {
        _ = psArgs;
        _ = cancellationToken;
        throw BerthException.NotImplemented("docker top is not available yet: it needs the platform's process runner");
    }
}
