namespace Berth.Platform.Processes;

/// <summary>What a finished command produced.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;
}
