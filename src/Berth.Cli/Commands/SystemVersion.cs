using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Cli.Templates;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>version</c>: client and engine versions (docker's template and tabwriter).</summary>
public static class SystemVersion
{
    private const string DefaultTemplate = "{{with .Client -}}\nClient:{{if ne .Platform.Name \"\"}} {{.Platform.Name}}{{end}}\n Version:\t{{.Version}}\n API version:\t{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}\n Go version:\t{{.GoVersion}}\n Git commit:\t{{.GitCommit}}\n Built:\t{{.BuildTime}}\n OS/Arch:\t{{.Os}}/{{.Arch}}\n Context:\t{{.Context}}\n{{- end}}\n\n{{- if .ServerOK}}{{with .Server}}\n\nServer:{{if ne .Platform.Name \"\"}} {{.Platform.Name}}{{end}}\n {{- range $component := .Components}}\n {{$component.Name}}:\n  {{- if eq $component.Name \"Engine\" }}\n  Version:\t{{.Version}}\n  API version:\t{{index .Details \"ApiVersion\"}} (minimum version {{index .Details \"MinAPIVersion\"}})\n  Go version:\t{{index .Details \"GoVersion\"}}\n  Git commit:\t{{index .Details \"GitCommit\"}}\n  Built:\t{{index .Details \"BuildTime\"}}\n  OS/Arch:\t{{index .Details \"Os\"}}/{{index .Details \"Arch\"}}\n  Experimental:\t{{index .Details \"Experimental\"}}\n  {{- else }}\n  Version:\t{{$component.Version}}\n  {{- range $key, $value := $component.Details}}\n  {{$key}}:\t{{$value}}\n   {{- end}}\n  {{- end}}\n {{- end}}\n {{- end}}{{- end}}";

    public static CommandSpec Create() => new()
    {
        Name = "version",
        Usage = "[OPTIONS]",
        Short = "Show the versions of the berth client and the engine",
        Group = "common",
        Args = ArgRule.None,
        Flags = [Common.FormatFlag(inspect: true)],
        Run = RunAsync,
    };

    private static async Task<int> RunAsync(Invocation inv)
    {
        var format = inv.Flags.String("format") ?? string.Empty;
        var template = GoTemplate.Parse(format.Length == 0 ? DefaultTemplate : format == "json" ? "{{json .}}" : format);

        // A template that only asks about the client does not need the engine.
        var needServer = format.Length == 0 || format == "json" || format.Contains("Server", StringComparison.Ordinal) || format.Contains("{{json .}}", StringComparison.Ordinal) || format.Contains("$", StringComparison.Ordinal);
        JsonNode? server = null;
        Exception? serverError = null;
        if (needServer)
        {
            try
            {
                server = await inv.Client.GetJsonAsync("/version", null, inv.CancellationToken);
            }
            catch (Exception e) when (e is EngineApiException or EngineConnectionException)
            {
                serverError = e;
            }
        }

        var client = new GoStruct(
        [
            new("Platform", new GoStruct([new("Name", string.Empty)])),
            new("Version", App.Version),
            new("APIVersion", inv.Client.NegotiatedVersion ?? EngineClient.MaxVersion),
            new("DefaultAPIVersion", EngineClient.MaxVersion),
            new("GoVersion", "dotnet" + Environment.Version.ToString()),
            new("GitCommit", App.GitCommit),
            new("BuildTime", string.Empty),
            new("Os", "linux"),
            new("Arch", ArchName()),
            new("Context", "default"),
        ]);
        var data = new GoStruct(
        [
            new("Client", client),
            new("Server", server is null ? GoNil.Pointer : ServerStruct(server)),
            new("ServerOK", server is not null),
        ]);
        string output;
        try
        {
            output = template.Execute(data);
        }
        catch (TemplateException) when (serverError is not null)
        {
            // docker prints the (empty) output line, then why the engine did not answer rather than
            // the template error its absence causes.
            await inv.Out.WriteAsync("\n");
            inv.Context.FlushOut();
            throw serverError;
        }

        if (format.Length == 0)
        {
            output = TabWriter.Format(output, 20, 1);
        }

        await inv.Out.WriteAsync(output + "\n");
        if (serverError is not null)
        {
            inv.Context.FlushOut();
            throw serverError;
        }

        return 0;
    }

    private static GoStruct ServerStruct(JsonNode server)
    {
        var components = new List<object?>();
        foreach (var c in Common.Items(server["Components"]))
        {
            var details = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            if (c["Details"] is JsonObject d)
            {
                foreach (var kv in d)
                {
                    var text = kv.Value is JsonValue v ? v.ToString() : string.Empty;
                    details[kv.Key] = kv.Key == "BuildTime" ? ReformatDate(text) : text;
                }
            }

            components.Add(new GoStruct(
            [
                new("Name", Common.Str(c, "Name") ?? string.Empty),
                new("Version", Common.Str(c, "Version") ?? string.Empty),
                new("Details", new GoMap(details, true)),
            ]));
        }

        return new GoStruct(
        [
            new("Platform", new GoStruct([new("Name", Common.Str(server["Platform"], "Name") ?? string.Empty)])),
            new("Components", components),
            new("Version", Common.Str(server, "Version") ?? string.Empty),
            new("APIVersion", Common.Str(server, "ApiVersion") ?? string.Empty),
            new("MinAPIVersion", Common.Str(server, "MinAPIVersion") ?? string.Empty),
            new("GitCommit", Common.Str(server, "GitCommit") ?? string.Empty),
            new("GoVersion", Common.Str(server, "GoVersion") ?? string.Empty),
            new("Os", Common.Str(server, "Os") ?? string.Empty),
            new("Arch", Common.Str(server, "Arch") ?? string.Empty),
            new("KernelVersion", Common.Str(server, "KernelVersion") ?? string.Empty),
            new("Experimental", Common.Bool(server, "Experimental")),
            new("BuildTime", ReformatDate(Common.Str(server, "BuildTime") ?? string.Empty)),
        ]);
    }

    /// <summary>docker shows build times in Go's ANSIC layout ("Mon Jan _2 15:04:05 2006").</summary>
    private static string ReformatDate(string text)
    {
        if (!GoTime.TryParse(text, out var t))
        {
            return text;
        }

        var u = t.UtcDateTime;
        return u.ToString("ddd MMM ", System.Globalization.CultureInfo.InvariantCulture)
            + u.Day.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(2)
            + u.ToString(" HH:mm:ss yyyy", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string ArchName() => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        var a => a.ToString().ToLowerInvariant(),
    };
}
