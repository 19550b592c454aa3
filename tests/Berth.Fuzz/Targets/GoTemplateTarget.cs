using System.Text;
using System.Text.Json.Nodes;
using Berth.Cli.Templates;

namespace Berth.Fuzz.Targets;

/// <summary>A <c>--format</c> Go template: parsed, then run over a container-like value.</summary>
public static class GoTemplateTarget
{
    private static readonly string Sample = """
        {"ID":"abc","Names":"web","Image":"busybox","State":"running","Labels":{"a":"b"},
         "Mounts":[{"Source":"/s","Destination":"/d"}],"Config":{"Image":"busybox","Env":["A=1"]},"Ports":null,"Size":3}
        """;

    public static void Run(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        GoTemplate template;
        try
        {
            template = GoTemplate.Parse(text);
        }
        catch (TemplateException)
        {
            return; // refused with Go's message
        }

        try
        {
            _ = template.Execute(JsonModel.FromJson(JsonNode.Parse(Sample)));
        }
        catch (TemplateException)
        {
            // an execution error, reported as the docker CLI does
        }
    }
}
