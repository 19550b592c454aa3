using Berth.Core.Errors;

namespace Berth.Runtime.Monitor;

/// <summary>Turns an OCI runtime's start/exec error into Docker's message and error kind.</summary>
public static class StartErrors
{
    /// <summary>"failed to create shim task: OCI runtime create failed: runc create failed: …: unknown".</summary>
    public static BerthException ForCreate(string runtimeName, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.StartsWith("monitor: ", StringComparison.Ordinal))
        {
            return new BerthException(ErrorKind.Internal, "failed to start container monitor: " + message["monitor: ".Length..]);
        }

        // Berth runs create+start as one `runc run`; Docker's wording names the create step.
        var runFailed = runtimeName + " run failed: ";
        if (message.StartsWith(runFailed, StringComparison.Ordinal))
        {
            message = runtimeName + " create failed: " + message[runFailed.Length..];
        }

        var text = $"failed to create shim task: OCI runtime create failed: {message}: unknown";
        return new BerthException(KindFor(message), text);
    }

    /// <summary>"OCI runtime exec failed: exec failed: …: unknown".</summary>
    public static BerthException ForExec(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.StartsWith("monitor: ", StringComparison.Ordinal))
        {
            return new BerthException(ErrorKind.Internal, "failed to start exec monitor: " + message["monitor: ".Length..]);
        }

        return new BerthException(KindFor(message), $"OCI runtime exec failed: {message}: unknown");
    }

    /// <summary>Docker answers 400 for configuration mistakes (missing binary, not executable, bad mount target).</summary>
    private static ErrorKind KindFor(string message) =>
        message.Contains("executable file not found", StringComparison.Ordinal)
        || message.Contains("no such file or directory", StringComparison.Ordinal)
        || message.Contains("permission denied", StringComparison.Ordinal)
        || message.Contains("not a directory", StringComparison.Ordinal)
            ? ErrorKind.InvalidArgument
            : ErrorKind.Internal;
}
