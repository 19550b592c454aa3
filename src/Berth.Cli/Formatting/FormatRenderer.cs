using System.Text;
using Berth.Cli.Templates;

namespace Berth.Cli.Formatting;

/// <summary>
/// Docker's formatter.Context: a format is "table", "table TEMPLATE", "json" or a TEMPLATE;
/// <c>\t</c> and <c>\n</c> written literally are turned into tab and newline; rows are rendered one
/// per line, and a table gets a header row (the template run over the header names with docker's
/// header functions) and tabwriter alignment (min width 10, padding 3).
/// </summary>
public static class FormatRenderer
{
    public static bool IsTable(string format) => format.StartsWith("table", StringComparison.Ordinal);

    public static string Render(string format, IEnumerable<object?> rows, IReadOnlyDictionary<string, string> headers)
    {
        var table = IsTable(format);
        var body = format;
        if (table)
        {
            body = body["table".Length..];
        }
        else if (format == "json")
        {
            body = "{{json .}}";
        }

        body = body.Trim(' ').Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
        var template = GoTemplate.Parse(body);
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            template.Execute(sb, row);
            sb.Append('\n');
        }

        if (!table)
        {
            return sb.ToString();
        }

        var header = new StringBuilder();
        try
        {
            var map = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            foreach (var kv in headers)
            {
                map[kv.Key] = kv.Value;
            }

            template.WithFunctions(TemplateFunctions.Header).Execute(header, new GoMap(map, true));
        }
        catch (TemplateException)
        {
            // Docker ignores header errors and keeps what was written.
        }

        header.Append('\n');
        return TabWriter.Format(header.Append(sb).ToString());
    }
}
