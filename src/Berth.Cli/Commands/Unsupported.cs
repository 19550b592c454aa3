using Berth.Cli.Parsing;

namespace Berth.Cli.Commands;

/// <summary>
/// docker's commands that berth does not have yet: known by name, so that using one fails with
/// a clear message and exit 125 instead of "unknown command".
/// </summary>
public static class Unsupported
{
    public static CommandSpec Create(string name, string shortText, string group) => new()
    {
        Name = name,
        Usage = "COMMAND",
        Short = shortText,
        Group = group,
        Interspersed = false,
        Flags = [Flag.Bool("help", "Show this help", hidden: true)],
        Run = _ => throw new CliException($"berth: '{name}' is not supported yet", 125),
    };
}
