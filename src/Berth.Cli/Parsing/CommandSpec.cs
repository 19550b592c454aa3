namespace Berth.Cli.Parsing;

/// <summary>One command or management command of the CLI tree.</summary>
public sealed class CommandSpec
{
    public required string Name { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>What follows the command path in the usage line, e.g. <c>[OPTIONS] CONTAINER [CONTAINER...]</c>.</summary>
    public string Usage { get; init; } = string.Empty;

    public required string Short { get; init; }

    /// <summary>The description shown by --help instead of <see cref="Short"/>, when there is one.</summary>
    public string? Long { get; init; }

    /// <summary>The "Aliases:" line of the help, paths without the binary name (<c>container ls, ps</c>).</summary>
    public IReadOnlyList<string> AliasPaths { get; init; } = [];

    public List<FlagSpec> Flags { get; init; } = [];

    /// <summary>False for run/create/exec: parsing stops at the first positional argument.</summary>
    public bool Interspersed { get; init; } = true;

    public ArgRule Args { get; init; } = ArgRule.Any;

    public Func<Invocation, Task<int>>? Run { get; init; }

    public List<CommandSpec> Children { get; } = [];

    /// <summary>Root help grouping: "common", "management", "swarm" or "" (other commands).</summary>
    public string Group { get; set; } = string.Empty;

    public bool Hidden { get; init; }

    public CommandSpec? Parent { get; private set; }

    public string Path => Parent is null ? Name : Parent.Path + " " + Name;

    public string UseLine => Children.Count > 0 && Run is null
        ? Path + " COMMAND"
        : Usage.Length == 0 ? Path : Path + " " + Usage;

    public CommandSpec Add(CommandSpec child)
    {
        child.Parent = this;
        Children.Add(child);
        return this;
    }

    public CommandSpec? FindChild(string name) =>
        Children.FirstOrDefault(c => c.Name == name) ?? Children.FirstOrDefault(c => c.Aliases.Contains(name));

    /// <summary>The flags including the implicit help flag (-h unless the command uses -h itself).</summary>
    public IEnumerable<FlagSpec> AllFlags()
    {
        foreach (var f in Flags)
        {
            yield return f;
        }

        if (Flags.Any(f => f.Name == "help"))
        {
            yield break;
        }

        var hTaken = Flags.Any(f => f.Short == 'h');
        yield return new FlagSpec
        {
            Name = "help",
            Short = hTaken ? '\0' : 'h',
            Kind = FlagKind.Bool,
            Usage = "Show this help",
            Hidden = !hTaken,
        };
    }
}
