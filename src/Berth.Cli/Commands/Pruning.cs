using Berth.Cli.Formatting;
using Berth.Cli.Parsing;

namespace Berth.Cli.Commands;

/// <summary>What docker's prune commands share: the confirmation, the "Deleted ...:" sections and the total.</summary>
public static class Pruning
{
    /// <summary>
    /// A prune command: asks for confirmation with <paramref name="warning"/> (unless -f), runs
    /// <paramref name="prune"/>, prints its report and, when it counts space, the total.
    /// </summary>
    public static CommandSpec Command(string name, string shortText, List<FlagSpec> flags, Func<Invocation, string> warning, Func<Invocation, Task<(string Report, long? Space)>> prune) => new()
    {
        Name = name,
        Usage = "[OPTIONS]",
        Short = shortText,
        Args = ArgRule.None,
        Flags = flags,
        Run = async inv =>
        {
            if (!await Prompt.ConfirmAsync(inv, warning(inv)))
            {
                return 0;
            }

            var (report, space) = await prune(inv);
            await inv.Out.WriteAsync(report);
            if (space is { } bytes)
            {
                await inv.Out.WriteLineAsync(Total(bytes));
            }

            return 0;
        },
    };

    public static string Total(long space) => "Total reclaimed space: " + Units.HumanSize(space);

    /// <summary>A section of a prune report: the title, one line per item and a blank line; nothing when there are no items.</summary>
    public static string Section(string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        return list.Count == 0 ? string.Empty : $"{title}\n{string.Concat(list.Select(l => l + "\n"))}\n";
    }
}
