using System.Globalization;
using Berth.Core.Errors;

namespace Berth.Containers.Query;

/// <summary>Turns host <c>ps</c> output into docker top's Titles/Processes, keeping only the container's PIDs.</summary>
public static class TopParser
{
    public static (IReadOnlyList<string> Titles, IReadOnlyList<IReadOnlyList<string>> Processes) Parse(string output, IReadOnlyCollection<int> pids)
    {
        var lines = output.Split('\n');
        var titles = Fields(lines[0]);
        var pidIndex = Array.IndexOf(titles, "PID");
        if (pidIndex < 0)
        {
            throw new BerthException(ErrorKind.Internal, "Couldn't find PID field in ps output");
        }

        var processes = new List<IReadOnlyList<string>>();
        var previousContained = false;
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var fields = Fields(line);
            if (fields.Length <= pidIndex)
            {
                continue;
            }

            if (fields[pidIndex] == "-")
            {
                // A thread line (ps -L): belongs to the process above it.
                if (previousContained)
                {
                    processes.Add(Row(titles, fields));
                }

                continue;
            }

            if (!int.TryParse(fields[pidIndex], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                throw new BerthException(ErrorKind.Internal, $"Unexpected pid '{fields[pidIndex]}'");
            }

            previousContained = pids.Contains(pid);
            if (previousContained)
            {
                processes.Add(Row(titles, fields));
            }
        }

        return (titles, processes);
    }

    /// <summary>The last column (the command) keeps its spaces.</summary>
    private static string[] Row(string[] titles, string[] fields) =>
        fields.Length <= titles.Length ? fields : [.. fields.Take(titles.Length - 1), string.Join(' ', fields.Skip(titles.Length - 1))];

    private static string[] Fields(string line) => line.Split((char[])[' ', '\t', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Docker refuses ps arguments that would rename the PID column.</summary>
    public static void ValidateArgs(string psArgs)
    {
        foreach (var part in psArgs.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && part[(eq + 1)..].StartsWith("PID", StringComparison.Ordinal) && part[..eq] != "pid")
            {
                throw BerthException.Invalid($"specifying \"{part}\" is not allowed");
            }
        }
    }
}
