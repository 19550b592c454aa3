namespace Berth.Cli;

/// <summary>Ends the command with an exit status and nothing more to print (a container's exit code).</summary>
public sealed class ExitException : Exception
{
    public ExitException(int exitCode)
        : base($"exit status {exitCode}")
    {
        ExitCode = exitCode;
    }

    public ExitException()
    {
    }

    public ExitException(string message)
        : base(message)
    {
    }

    public ExitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; }
}
