using System.Text;

namespace Berth.Cli.Formatting;

/// <summary>
/// Go's text/tabwriter with padchar ' ' and no flags: tab-terminated cells, columns aligned per
/// block of consecutive lines that have that column, width = max(cell) + padding, at least
/// minwidth. The last cell of a line is not part of a column.
/// </summary>
public static class TabWriter
{
    public static string Format(string text, int minWidth = 10, int padding = 3)
    {
        var lines = new List<List<string>>();
        foreach (var rawLine in text.Split('\n'))
        {
            lines.Add([.. rawLine.Split('\t')]);
        }

        // Split('\n') yields a final empty "line" after the last newline: Go keeps it as the unterminated tail.
        var widths = new List<int>();
        var sb = new StringBuilder(text.Length + 64);
        FormatBlock(lines, 0, lines.Count, widths, minWidth, padding, sb);
        return sb.ToString();
    }

    private static void FormatBlock(List<List<string>> lines, int line0, int line1, List<int> widths, int minWidth, int padding, StringBuilder sb)
    {
        var column = widths.Count;
        for (var i = line0; i < line1; i++)
        {
            if (column >= lines[i].Count - 1)
            {
                continue;
            }

            // Lines before this one are not part of the column block.
            WriteLines(lines, line0, i, widths, sb);
            line0 = i;
            var width = minWidth;
            for (; i < line1; i++)
            {
                if (column >= lines[i].Count - 1)
                {
                    break;
                }

                var w = CellWidth(lines[i][column]) + padding;
                if (w > width)
                {
                    width = w;
                }
            }

            widths.Add(width);
            FormatBlock(lines, line0, i, widths, minWidth, padding, sb);
            widths.RemoveAt(widths.Count - 1);
            line0 = i;
            i--;
        }

        WriteLines(lines, line0, line1, widths, sb);
    }

    private static void WriteLines(List<List<string>> lines, int from, int to, List<int> widths, StringBuilder sb)
    {
        for (var i = from; i < to; i++)
        {
            var cells = lines[i];
            for (var j = 0; j < cells.Count; j++)
            {
                var c = cells[j];
                sb.Append(c);
                if (j < widths.Count && j < cells.Count - 1)
                {
                    sb.Append(' ', Math.Max(0, widths[j] - CellWidth(c)));
                }
            }

            if (i + 1 < lines.Count)
            {
                sb.Append('\n');
            }
        }
    }

    private static int CellWidth(string s)
    {
        var n = 0;
        foreach (var _ in s.EnumerateRunes())
        {
            n++;
        }

        return n;
    }
}
