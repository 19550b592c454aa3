using System.Text;
using System.Text.Json.Nodes;
using Berth.Cli.Parsing;
using Berth.Cli.Templates;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>inspect</c> and the per-object inspect commands: indented JSON or a template per object.</summary>
public static class Inspect
{
    /// <summary>How to fetch one kind of object: its path, and docker's "not found" wording.</summary>
    public sealed record Kind(string Name, Func<string, string> Path, bool SizeQuery = false);

    public static readonly Kind Container = new("container", n => $"/containers/{n}/json", true);
    public static readonly Kind Image = new("image", n => $"/images/{n}/json");
    public static readonly Kind Volume = new("volume", n => $"/volumes/{n}");
    public static readonly Kind Network = new("network", n => $"/networks/{n}");

    public static CommandSpec CreateGeneric() => new()
    {
        Name = "inspect",
        Usage = "[OPTIONS] NAME|ID [NAME|ID...]",
        Short = "Print the full JSON description of any Berth object",
        Args = ArgRule.AtLeast(1),
        Flags =
        [
            Common.FormatFlag(inspect: true),
            Flag.Bool("s|size", "Add the size of the container's files"),
            Flag.String("type", "Look for objects of this type only"),
        ],
        Run = inv =>
        {
            var type = inv.Flags.String("type");
            Kind[] kinds = type switch
            {
                null or "" => [Container, Image, Volume, Network],
                "container" => [Container],
                "image" => [Image],
                "volume" => [Volume],
                "network" => [Network],
                "config" or "node" or "plugin" or "secret" or "service" or "task" => throw new CliException($"berth: --type {type} is not supported yet", 125),
                _ => throw new CliException($"\"{type}\" is not a valid value for --type"),
            };
            return RunAsync(inv, kinds, type is null or "" ? "object" : type, inv.Flags.Bool("size"));
        },
    };

    public static CommandSpec CreateFor(Kind kind, string usage, string shortText, bool withSize = false) => new()
    {
        Name = "inspect",
        Usage = usage,
        Short = shortText,
        Args = ArgRule.AtLeast(1),
        Flags = withSize
            ? [Common.FormatFlag(inspect: true), Flag.Bool("s|size", "Add the size of each container's files")]
            : [Common.FormatFlag(inspect: true)],
        Run = inv => RunAsync(inv, [kind], null, withSize && inv.Flags.Bool("size")),
    };

    private static async Task<int> RunAsync(Invocation inv, Kind[] kinds, string? genericWord, bool size)
    {
        var format = inv.Flags.String("format") ?? string.Empty;
        GoTemplate? template = format is "" or "json" ? null : GoTemplate.Parse(format);
        var found = new List<JsonNode?>();
        var errors = new List<string>();
        var output = new StringBuilder();
        foreach (var name in inv.Args)
        {
            JsonNode? element = null;
            string? lastError = null;
            foreach (var kind in kinds)
            {
                try
                {
                    var q = kind.SizeQuery && size ? new EngineQuery().Add("size", "1") : null;
                    element = await inv.Client.GetJsonAsync(kind.Path(name), q, inv.CancellationToken);
                    break;
                }
                catch (EngineApiException e) when (e.StatusCode == 404 || (e.StatusCode == 400 && kinds.Length > 1))
                {
                    lastError = e.Message;
                }
            }

            if (element is null)
            {
                errors.Add(genericWord == "object" ? $"Error: No such object: {name}" : "Error response from daemon: " + lastError);
                continue;
            }

            if (template is null)
            {
                found.Add(element);
                continue;
            }

            // docker runs the template on its typed struct first, then on the raw JSON.
            var mark = output.Length;
            try
            {
                template.Execute(output, JsonModel.FromJson(element));
            }
            catch (TemplateException)
            {
                output.Length = mark;
                try
                {
                    template.Execute(output, JsonModel.FromRawJson(element));
                }
                catch (TemplateException e)
                {
                    output.Length = mark;
                    await inv.Out.WriteAsync(output.ToString() + "\n");
                    throw new CliException("template parsing error: " + e.Message);
                }
            }

            output.Append('\n');
        }

        if (template is null)
        {
            await inv.Out.WriteLineAsync(Common.IndentJsonArray(found));
        }
        else
        {
            await inv.Out.WriteAsync(output.ToString());
        }

        if (errors.Count > 0)
        {
            throw new CliException(string.Join("\n", errors));
        }

        return 0;
    }
}
