namespace Berth.Tests.Integration.Harness;

public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public string Out => Stdout.TrimEnd('\n');

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
