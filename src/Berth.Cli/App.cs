using Berth.Cli.Parsing;
using Berth.Cli.Templates;
using Berth.Client;

namespace Berth.Cli;

/// <summary>Parses the command line, finds the command, runs it, and maps errors to docker's output and exit codes.</summary>
public static class App
{
    public const string Version = "0.1.0";
    public const string GitCommit = "berth";

    public static List<FlagSpec> GlobalFlags() =>
    [
        Flag.String("config", "Directory of the client's configuration", "/root/.docker"),
        Flag.NotImplemented(Flag.String("c|context", "Client context naming the engine to use (wins over DOCKER_HOST and the current context)")),
        Flag.Bool("D|debug", "Print debug output"),
        Flag.List("H|host", "Engine socket to talk to"),
        Flag.String("l|log-level", "How much berth logs (\"debug\", \"info\", \"warn\", \"error\", \"fatal\")", "info"),
        Flag.Bool("tls", "Speak TLS to the engine (--tlsverify implies it)"),
        Flag.String("tlscacert", "CA whose certificates the engine's must chain to", "/root/.docker/ca.pem"),
        Flag.String("tlscert", "Client certificate to present to the engine", "/root/.docker/cert.pem"),
        Flag.String("tlskey", "Private key of the client certificate", "/root/.docker/key.pem"),
        Flag.Bool("tlsverify", "Speak TLS and check the engine's certificate against --tlscacert"),
        Flag.Bool("v|version", "Print the client's version and exit"),
    ];

    public static async Task<int> RunAsync(CliContext ctx, string[] args, CancellationToken cancellationToken)
    {
        var root = CommandTree.Build(ctx.BinaryName);
        CommandSpec current = root;
        try
        {
            var global = FlagParser.Parse([.. root.AllFlags()], args, interspersed: false);
            if (global.Bool("help"))
            {
                await ctx.Out.WriteAsync(HelpWriter.Render(root, HelpColumns(ctx)));
                return 0;
            }

            CheckNotImplemented(global);
            if (global.Bool("version"))
            {
                await ctx.Out.WriteLineAsync($"Berth version {Version}, build {GitCommit}");
                return 0;
            }

            var hosts = global.List("host");
            if (hosts.Count > 1)
            {
                throw new CliException("Specify only one -H");
            }

            ctx.HostFlag = hosts.Count == 1 ? hosts[0] : null;
            ctx.ConfigDir = global.String("config");
            ctx.Debug = global.Bool("debug");
            ctx.TlsFlag = global.Bool("tls");
            ctx.TlsVerifyFlag = global.IsSet("tlsverify") ? global.Bool("tlsverify") : null;
            ctx.TlsCaCertFlag = global.String("tlscacert");
            ctx.TlsCertFlag = global.String("tlscert");
            ctx.TlsKeyFlag = global.String("tlskey");

            var rest = global.Args;
            if (rest.Count == 0)
            {
                await ctx.Out.WriteAsync(HelpWriter.Render(root, HelpColumns(ctx)));
                return 0;
            }

            var i = 0;
            while (i < rest.Count)
            {
                var name = rest[i];
                var child = current.FindChild(name);
                if (child is null)
                {
                    if (current == root)
                    {
                        throw new CliException($"{ctx.BinaryName}: unknown command: {ctx.BinaryName} {name}\n\nRun '{ctx.BinaryName} --help' for more information");
                    }

                    break;
                }

                current = child;
                i++;
                if (current.Run is not null)
                {
                    break;
                }
            }

            var cmdArgs = rest.Skip(i).ToList();
            if (current.Run is null)
            {
                // A management command without (a known) subcommand.
                if (cmdArgs.Count == 0 || cmdArgs[0] is "--help" or "-h")
                {
                    await ctx.Out.WriteAsync(HelpWriter.Render(current, HelpColumns(ctx)));
                    return 0;
                }

                if (!cmdArgs[0].StartsWith('-'))
                {
                    throw new CliException($"{ctx.BinaryName}: unknown command: {current.Path} {cmdArgs[0]}\n\nUsage:  {current.Path}\n\nRun '{current.Path} --help' for more information");
                }

                FlagParser.Parse([.. current.AllFlags()], cmdArgs, true);
                await ctx.Out.WriteAsync(HelpWriter.Render(current, HelpColumns(ctx)));
                return 0;
            }

            var flags = FlagParser.Parse([.. current.AllFlags()], cmdArgs, current.Interspersed);
            if (flags.Bool("help"))
            {
                await ctx.Out.WriteAsync(HelpWriter.Render(current, HelpColumns(ctx)));
                return 0;
            }

            CheckNotImplemented(flags);
            var argError = current.Args.Check(flags.Args.Count, current.Path, current.UseLine);
            if (argError is not null)
            {
                throw new CliException(argError);
            }

            return await current.Run(new Invocation(ctx, current, flags, cancellationToken));
        }
        catch (UsageException e)
        {
            await ctx.Err.WriteLineAsync($"{e.Message}\n\nUsage:  {current.UseLine}\n\nRun '{current.Path} --help' for more information");
            return e.ExitCode;
        }
        catch (CliException e)
        {
            ctx.FlushOut();
            if (e.Message.Length > 0)
            {
                await ctx.Err.WriteLineAsync(e.Message);
            }

            return e.ExitCode;
        }
        catch (ExitException e)
        {
            return e.ExitCode;
        }
        catch (EngineApiException e)
        {
            ctx.FlushOut();
            await ctx.Err.WriteLineAsync("Error response from daemon: " + e.Message);
            return 1;
        }
        catch (EngineConnectionException e)
        {
            ctx.FlushOut();
            await ctx.Err.WriteLineAsync(e.Message);
            return 1;
        }
        catch (Streams.JsonMessageException e)
        {
            ctx.FlushOut();
            await ctx.Err.WriteLineAsync(e.Message);
            return 1;
        }
        catch (TemplateException e)
        {
            ctx.FlushOut();
            await ctx.Err.WriteLineAsync("template parsing error: " + e.Message);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            ctx.FlushOut();
            await ctx.Err.WriteLineAsync(ctx.Debug ? e.ToString() : e.Message);
            return 1;
        }
    }

    public static int HelpColumns(CliContext ctx) =>
        (Terminal.Posix.GetSize(0)?.Columns ?? 80) - 1;

    private static void CheckNotImplemented(ParsedFlags flags)
    {
        foreach (var name in flags.Order)
        {
            var spec = flags.Spec(name);
            if (spec.NotImplemented)
            {
                throw new CliException($"berth: {spec.DisplayName} is not supported yet", 125);
            }
        }
    }
}
