using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Cli.Streams;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>save</c>, <c>load</c>, <c>import</c>, <c>export</c>: image and filesystem archives.</summary>
public static class ImageArchive
{
    public static CommandSpec Save(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] IMAGE [IMAGE...]",
        Short = "Write images to a tar archive (to standard output unless -o is given)",
        AliasPaths = ["image save", "save"],
        Args = ArgRule.AtLeast(1),
        Flags =
        [
            Flag.String("o|output", "Write to this file rather than standard output"),
            Flag.NotImplemented(Flag.String("platform", "Save just this platform, as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")")),
        ],
        Run = async inv =>
        {
            var output = inv.Flags.String("output");
            if (string.IsNullOrEmpty(output) && inv.Context.StdoutIsTerminal)
            {
                throw new CliException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
            }

            var q = new EngineQuery();
            foreach (var image in inv.Args)
            {
                q.Add("names", image);
            }

            using var r = await inv.Client.SendAsync("GET", "/images/get", q, null, null, inv.CancellationToken);
            await CopyToOutputAsync(inv, r.Body, output);
            return 0;
        },
    };

    public static CommandSpec Export(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] CONTAINER",
        Short = "Write a container's whole filesystem out as a tar archive",
        AliasPaths = ["container export", "export"],
        Args = ArgRule.Exactly(1),
        Flags = [Flag.String("o|output", "Write to this file rather than standard output")],
        Run = async inv =>
        {
            var output = inv.Flags.String("output");
            if (string.IsNullOrEmpty(output) && inv.Context.StdoutIsTerminal)
            {
                throw new CliException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
            }

            using var r = await inv.Client.SendAsync("GET", $"/containers/{inv.Args[0]}/export", null, null, null, inv.CancellationToken);
            await CopyToOutputAsync(inv, r.Body, output);
            return 0;
        },
    };

    public static CommandSpec Load(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS]",
        Short = "Add images from a tar archive (a file or standard input)",
        AliasPaths = ["image load", "load"],
        Args = ArgRule.None,
        Flags =
        [
            Flag.String("i|input", "Read the archive from this file rather than standard input"),
            Flag.NotImplemented(Flag.String("platform", "Load just this platform, as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")")),
            Flag.Bool("q|quiet", "Print nothing while loading"),
        ],
        Run = async inv =>
        {
            var input = inv.Flags.String("input");
            Stream source;
            if (string.IsNullOrEmpty(input))
            {
                if (inv.Context.StdinIsTerminal)
                {
                    throw new CliException("requested load from stdin, but stdin is empty");
                }

                source = inv.Context.StdinStream;
            }
            else
            {
                source = OpenInput(input);
            }

            using (source)
            {
                var quiet = inv.Flags.Bool("quiet") || !inv.Context.StdoutIsTerminal;
                using var r = await inv.Client.SendAsync("POST", "/images/load", new EngineQuery().Add("quiet", quiet ? "1" : "0"), EngineContent.Tar(source), null, inv.CancellationToken);
                await RenderAsync(inv, r, inv.Context.StdoutIsTerminal);
            }

            return 0;
        },
    };

    public static CommandSpec Import(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
        Short = "Make a single-layer image from a tar archive of a filesystem",
        AliasPaths = ["image import", "import"],
        Args = ArgRule.Range(1, 2),
        Flags =
        [
            Flag.List("c|change", "Dockerfile instruction to apply to the new image"),
            Flag.String("m|message", "Message recorded with the imported image"),
            Flag.String("platform", "Platform to use (os[/arch[/variant]])"),
        ],
        Run = async inv =>
        {
            var src = inv.Args[0];
            var q = new EngineQuery().Add("message", inv.Flags.String("message")).Add("platform", inv.Flags.String("platform"));
            if (inv.Args.Count == 2)
            {
                var r = ImageReference.TryParse(inv.Args[1], out var error) ?? throw new CliException(error ?? "invalid reference format");
                q.Add("repo", r.FamiliarName).Add("tag", r.Tag);
            }

            foreach (var c in inv.Flags.List("change"))
            {
                q.Add("changes", c);
            }

            EngineContent? content = null;
            Stream? file = null;
            if (src == "-")
            {
                q.Add("fromSrc", "-");
                content = EngineContent.Tar(inv.Context.StdinStream);
            }
            else if (src.StartsWith("http://", StringComparison.Ordinal) || src.StartsWith("https://", StringComparison.Ordinal))
            {
                q.Add("fromSrc", src);
            }
            else
            {
                file = OpenInput(src);
                q.Add("fromSrc", "-");
                content = EngineContent.Tar(file);
            }

            using (file)
            {
                using var resp = await inv.Client.SendAsync("POST", "/images/create", q, content, null, inv.CancellationToken);
                await RenderAsync(inv, resp, inv.Context.StdoutIsTerminal);
            }

            return 0;
        },
    };

    public static async Task RenderAsync(Invocation inv, EngineResponse response, bool terminal)
    {
        var display = new JsonMessages(inv.Out, terminal, Terminal.Posix.GetSize(1)?.Columns ?? 80);
        try
        {
            await display.DisplayAsync(response.Body, inv.CancellationToken);
        }
        catch (JsonMessageException e)
        {
            inv.Context.FlushOut();
            throw new CliException(e.Message);
        }
    }

    public static Stream OpenInput(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (FileNotFoundException)
        {
            throw new CliException($"open {path}: no such file or directory");
        }
        catch (DirectoryNotFoundException)
        {
            throw new CliException($"open {path}: no such file or directory");
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliException($"open {path}: permission denied");
        }
    }

    private static async Task CopyToOutputAsync(Invocation inv, Stream body, string? output)
    {
        if (string.IsNullOrEmpty(output))
        {
            inv.Context.FlushOut();
            await body.CopyToAsync(inv.Context.StdoutStream, inv.CancellationToken);
            await inv.Context.StdoutStream.FlushAsync(inv.CancellationToken);
            return;
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(output));
        if (dir is not null && !Directory.Exists(dir))
        {
            throw new CliException($"failed to save image: invalid output path: directory \"{dir}\" does not exist");
        }

        var tmp = output + ".berth-tmp";
        await using (var file = File.Create(tmp))
        {
            await body.CopyToAsync(file, inv.CancellationToken);
        }

        File.Move(tmp, output, true);
    }
}
