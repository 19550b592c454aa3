using System.Text;
using Berth.Cli.Parsing;

namespace Berth.Cli;

/// <summary>Renders help the way docker's cobra templates do, flag usages wrapped like pflag's.</summary>
public static class HelpWriter
{
    private static readonly string[] CommonOrder = ["run", "exec", "ps", "build", "pull", "push", "images", "login", "logout", "search", "version", "info"];

    public static string Render(CommandSpec cmd, int columns)
    {
        var sb = new StringBuilder();
        var isGroup = cmd.Children.Count > 0 && cmd.Run is null;
        var visibleFlags = cmd.AllFlags().Where(f => !f.Hidden).ToList();
        sb.Append("Usage:  ");
        if (isGroup)
        {
            sb.Append(cmd.Path).Append(cmd.Parent is not null && visibleFlags.Count > 0 ? " [OPTIONS]" : string.Empty).Append(" COMMAND");
            if (cmd.Parent is null)
            {
                sb.Length -= " COMMAND".Length;
                sb.Append(" [OPTIONS] COMMAND");
            }
        }
        else
        {
            sb.Append(cmd.UseLine);
        }

        sb.Append("\n\n").Append((cmd.Long ?? cmd.Short).Trim());
        var aliases = AliasLine(cmd);
        if (aliases is not null)
        {
            sb.Append("\n\nAliases:\n  ").Append(aliases);
        }

        if (cmd.Parent is not null && visibleFlags.Count > 0)
        {
            sb.Append("\n\nOptions:\n").Append(FlagUsages(visibleFlags, columns).TrimEnd());
        }

        if (cmd.Parent is null)
        {
            foreach (var (group, title) in new[] { ("common", "Common Commands"), ("management", "Management Commands"), ("swarm", "Swarm Commands"), (string.Empty, "Commands") })
            {
                var children = cmd.Children.Where(c => c.Group == group && !c.Hidden).ToList();
                children = group == "common"
                    ? children.OrderBy(c => Array.IndexOf(CommonOrder, c.Name) is var i && i < 0 ? int.MaxValue : i).ToList()
                    : children.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();

                if (children.Count == 0)
                {
                    continue;
                }

                sb.Append("\n\n").Append(title).Append(':');
                foreach (var c in children)
                {
                    sb.Append("\n  ").Append(c.Name.PadRight(Math.Max(11, children.Max(x => x.Name.Length)))).Append(' ').Append(c.Short);
                }
            }

            sb.Append("\n\nGlobal Options:\n").Append(FlagUsages(cmd.Flags.Where(f => !f.Hidden).ToList(), columns).TrimEnd());
            sb.Append("\n\nRun '").Append(cmd.Path).Append(" COMMAND --help' for more information on a command.");
            sb.Append("\n\nBerth serves the Docker Engine API; Docker's guides apply: https://docs.docker.com/go/guides/\n");
            return sb.ToString();
        }

        if (cmd.Children.Count > 0)
        {
            var children = cmd.Children.Where(c => !c.Hidden).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
            var pad = Math.Max(11, children.Max(c => c.Name.Length));
            sb.Append("\n\nCommands:");
            foreach (var c in children)
            {
                sb.Append("\n  ").Append(c.Name.PadRight(pad)).Append(' ').Append(c.Short);
            }

            sb.Append("\n\nRun '").Append(cmd.Path).Append(" COMMAND --help' for more information on a command.");
        }

        sb.Append('\n');
        return sb.ToString();
    }

    private static string? AliasLine(CommandSpec cmd)
    {
        var bin = cmd.Path.Split(' ')[0];
        if (cmd.AliasPaths.Count > 0)
        {
            return string.Join(", ", cmd.AliasPaths.Select(p => bin + " " + p));
        }

        if (cmd.Aliases.Count > 0 && cmd.Parent is not null)
        {
            return string.Join(", ", new[] { cmd.Path }.Concat(cmd.Aliases.Select(a => cmd.Parent.Path + " " + a)));
        }

        return null;
    }

    /// <summary>pflag's FlagUsagesWrapped: sorted flags, aligned usage column, wrapped text.</summary>
    public static string FlagUsages(IReadOnlyList<FlagSpec> flags, int columns)
    {
        var lines = new List<(string Left, string Usage)>();
        var maxlen = 0;
        foreach (var f in flags.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var left = f.Short != '\0' ? $"  -{f.Short}, --{f.Name}" : $"      --{f.Name}";
            if (f.HelpType.Length > 0)
            {
                left += " " + f.HelpType;
            }

            maxlen = Math.Max(maxlen, left.Length + 1);
            var usage = f.Usage;
            if (f.DefaultText is not null)
            {
                usage += $" (default {f.DefaultText})";
            }

            lines.Add((left, usage));
        }

        var sb = new StringBuilder();
        foreach (var (left, usage) in lines)
        {
            var spacing = new string(' ', maxlen - (left.Length + 1) + 1);
            sb.Append(left).Append(' ').Append(spacing).Append(' ').Append(Wrap(maxlen + 2, columns, usage)).Append('\n');
        }

        return sb.ToString();
    }

    private static string Wrap(int indent, int width, string s)
    {
        if (width == 0)
        {
            return s.Replace("\n", "\n" + new string(' ', indent), StringComparison.Ordinal);
        }

        var wrap = width - indent;
        var r = new StringBuilder();
        if (wrap < 24)
        {
            indent = 16;
            wrap = width - indent;
            r.Append('\n').Append(' ', indent);
        }

        if (wrap < 24)
        {
            return r + s.Replace("\n", r.ToString(), StringComparison.Ordinal);
        }

        const int slop = 5;
        wrap -= slop;
        var pad = "\n" + new string(' ', indent);
        var (l, rest) = WrapN(wrap, slop, s);
        r.Append(l.Replace("\n", pad, StringComparison.Ordinal));
        while (rest.Length > 0)
        {
            (l, rest) = WrapN(wrap, slop, rest);
            r.Append(pad).Append(l.Replace("\n", pad, StringComparison.Ordinal));
        }

        return r.ToString();
    }

    private static (string Line, string Remainder) WrapN(int i, int slop, string s)
    {
        if (i + slop > s.Length)
        {
            return (s, string.Empty);
        }

        var w = s.AsSpan(0, i).LastIndexOfAny(' ', '\t', '\n');
        if (w <= 0)
        {
            return (s, string.Empty);
        }

        var nl = s.AsSpan(0, i).LastIndexOf('\n');
        if (nl > 0 && nl < w)
        {
            return (s[..nl], s[(nl + 1)..]);
        }

        return (s[..w], s[(w + 1)..]);
    }
}
