using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Cli.Streams;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>pull</c> / <c>image pull</c>.</summary>
public static class ImagePull
{
    public static CommandSpec Create(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] NAME[:TAG|@DIGEST]",
        Short = "Fetch an image from a registry",
        AliasPaths = ["image pull", "pull"],
        Args = ArgRule.Exactly(1),
        Flags =
        [
            Flag.Bool("a|all-tags", "Pull every tag of the repository"),
            Flag.Bool("disable-content-trust", "Do not check image signatures", "true"),
            Flag.String("platform", "Platform to use (os[/arch[/variant]])"),
            Flag.Bool("q|quiet", "Print less"),
        ],
        Run = RunAsync,
    };

    private static async Task<int> RunAsync(Invocation inv)
    {
        var name = inv.Args[0];
        var all = inv.Flags.Bool("all-tags");
        var r = ImageReference.TryParse(name, out var error) ?? throw new CliException(error ?? "invalid reference format");
        if (all && r.Tag is not null)
        {
            throw new CliException("tag can't be used with --all-tags/-a");
        }

        string target;
        if (!all && r.Tag is null && r.Digest is null)
        {
            if (!inv.Flags.Bool("quiet"))
            {
                await inv.Out.WriteLineAsync("Using default tag: latest");
            }

            target = r.FamiliarName + ":latest";
            r = r with { Tag = "latest" };
        }
        else
        {
            target = r.FamiliarString;
        }

        await PullAsync(inv, all ? r.FamiliarName : target, inv.Flags.String("platform"), inv.Flags.Bool("quiet"), toStderr: false, allTags: all);
        await inv.Out.WriteLineAsync(all ? r.Name : r.ToString());
        return 0;
    }

    /// <summary>POST /images/create and render the progress (to stderr for run/create).</summary>
    public static async Task PullAsync(Invocation inv, string image, string? platform, bool quiet, bool toStderr, bool allTags = false)
    {
        var r = ImageReference.TryParse(image, out _);
        var fromImage = r is null ? image : r.FamiliarName;
        var tag = r?.Digest ?? r?.Tag ?? (allTags ? null : "latest");
        var query = new EngineQuery().Add("fromImage", fromImage).Add("tag", tag).Add("platform", platform);
        var headers = new Dictionary<string, string> { ["X-Registry-Auth"] = RegistryAuth.HeaderFor(inv.Context.Config, RegistryAuth.RegistryOf(image)) };
        using var response = await inv.Client.SendAsync("POST", "/images/create", query, null, headers, inv.CancellationToken);
        var writer = toStderr ? (TextWriter)inv.Err : inv.Out;
        var terminal = toStderr ? Terminal.Posix.IsTerminal(2) : inv.Context.StdoutIsTerminal;
        var display = new JsonMessages(quiet ? TextWriter.Null : writer, terminal, Terminal.Posix.GetSize(1)?.Columns ?? 80);
        try
        {
            await display.DisplayAsync(response.Body, inv.CancellationToken);
        }
        catch (JsonMessageException e)
        {
            throw new EngineApiException(500, e.Message);
        }
    }
}
