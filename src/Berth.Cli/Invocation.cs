using Berth.Cli.Parsing;
using Berth.Client;

namespace Berth.Cli;

/// <summary>One parsed command line ready to run: the command, its flags and arguments.</summary>
public sealed class Invocation
{
    public Invocation(CliContext context, CommandSpec command, ParsedFlags flags, CancellationToken cancellationToken)
    {
        Context = context;
        Command = command;
        Flags = flags;
        CancellationToken = cancellationToken;
    }

    public CliContext Context { get; }

    public CommandSpec Command { get; }

    public ParsedFlags Flags { get; }

    public IReadOnlyList<string> Args => Flags.Args;

    public CancellationToken CancellationToken { get; }

    public EngineClient Client => Context.Client;

    public StreamWriter Out => Context.Out;

    public StreamWriter Err => Context.Err;
}
