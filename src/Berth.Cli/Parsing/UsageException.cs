namespace Berth.Cli.Parsing;

/// <summary>A command line that cannot be parsed; printed with the usage line and exit status 125 (flags) or 1 (arguments).</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = 125;
}
