namespace Berth.Platform.Processes;

/// <summary>A tool exited non-zero; the message carries its stderr (trimmed) for the user.</summary>
public sealed class ProcessFailedException : Exception
{
    public ProcessFailedException(string fileName, IReadOnlyList<string> args, ProcessResult result)
        : base($"{Path.GetFileName(fileName)} {string.Join(' ', args)}: exit {result.ExitCode}: {result.Stderr.Trim()}")
    {
        Result = result;
    }

    public ProcessFailedException()
    {
        Result = new ProcessResult(-1, string.Empty, string.Empty);
    }

    public ProcessFailedException(string message)
        : base(message)
    {
        Result = new ProcessResult(-1, string.Empty, message);
    }

    public ProcessFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Result = new ProcessResult(-1, string.Empty, message);
    }

    public ProcessResult Result { get; }
}
