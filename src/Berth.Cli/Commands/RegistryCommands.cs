using System.Text;
using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Cli.Streams;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>login</c>, <c>logout</c>, <c>push</c>.</summary>
public static class RegistryCommands
{
    public static CommandSpec Login() => new()
    {
        Name = "login",
        Usage = "[OPTIONS] [SERVER]",
        Short = "Store credentials for a registry",
        Long = "Store credentials for a registry.\nWithout SERVER, the credentials are for Docker Hub.",
        Group = "common",
        Args = ArgRule.AtMost(1),
        Flags =
        [
            Flag.String("p|password", "Password or access token"),
            Flag.Bool("password-stdin", "Read the password or token from standard input"),
            Flag.String("u|username", "User name"),
        ],
        Run = LoginAsync,
    };

    private static async Task<int> LoginAsync(Invocation inv)
    {
        var f = inv.Flags;
        var server = inv.Args.Count == 1 ? inv.Args[0] : RegistryAuth.DockerHubKey;
        var key = NormalizeServer(server);
        var user = f.String("username");
        var password = f.String("password");
        if (f.Bool("password-stdin"))
        {
            if (password is not null)
            {
                throw new CliException("conflicting options: cannot specify both --password and --password-stdin");
            }

            if (user is null)
            {
                throw new CliException("the --password-stdin option requires --username to be set");
            }

            using var reader = new StreamReader(inv.Context.StdinStream, Encoding.UTF8, false, 1024, leaveOpen: true);
            password = (await reader.ReadToEndAsync(inv.CancellationToken)).TrimEnd('\n', '\r');
        }
        else if (password is not null)
        {
            await inv.Err.WriteLineAsync("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        }

        if (user is null || string.IsNullOrEmpty(password))
        {
            if (!inv.Context.StdinIsTerminal)
            {
                throw new CliException("Error: Cannot perform an interactive login from a non TTY device");
            }

            if (user is null)
            {
                await inv.Out.WriteAsync("Username: ");
                inv.Context.FlushOut();
                user = Console.ReadLine()?.Trim() ?? string.Empty;
            }

            if (string.IsNullOrEmpty(password))
            {
                await inv.Out.WriteAsync("Password: ");
                inv.Context.FlushOut();
                var saved = Terminal.Posix.MakeRaw(0);
                var sb = new StringBuilder();
                try
                {
                    var buf = new byte[1];
                    while (inv.Context.StdinStream.Read(buf) == 1 && buf[0] is not ((byte)'\r' or (byte)'\n'))
                    {
                        sb.Append((char)buf[0]);
                    }
                }
                finally
                {
                    if (saved is not null)
                    {
                        Terminal.Posix.Restore(0, saved);
                    }
                }

                await inv.Out.WriteLineAsync();
                password = sb.ToString();
            }
        }

        if (user.Length == 0)
        {
            throw new CliException("Error: Non-null Username Required");
        }

        if (password.Length == 0)
        {
            throw new CliException("Error: Password Required");
        }

        var body = new JsonObject { ["username"] = user, ["password"] = password, ["serveraddress"] = key };
        var result = await inv.Client.PostJsonAsync("/auth", null, body, inv.CancellationToken);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));
        inv.Context.Config.SetAuth(key, auth);
        await inv.Err.WriteLineAsync($"WARNING! Your credentials are stored unencrypted in '{inv.Context.Config.FilePath}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n");
        await inv.Out.WriteLineAsync(Common.Str(result, "Status") is { Length: > 0 } status ? status : "Login Succeeded");
        return 0;
    }

    public static CommandSpec Logout() => new()
    {
        Name = "logout",
        Usage = "[SERVER]",
        Short = "Forget the credentials stored for a registry",
        Long = "Forget the credentials stored for a registry.\nWithout SERVER, the engine's default registry is meant.",
        Group = "common",
        Args = ArgRule.AtMost(1),
        Run = async inv =>
        {
            var server = inv.Args.Count == 1 ? inv.Args[0] : RegistryAuth.DockerHubKey;
            var key = NormalizeServer(server);
            if (!inv.Context.Config.RemoveAuth(key))
            {
                await inv.Out.WriteLineAsync($"Not logged in to {key}");
                return 0;
            }

            await inv.Out.WriteLineAsync($"Removing login credentials for {key}");
            return 0;
        },
    };

    public static CommandSpec Push(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] NAME[:TAG]",
        Short = "Send an image to a registry",
        AliasPaths = ["image push", "push"],
        Args = ArgRule.Exactly(1),
        Flags =
        [
            Flag.Bool("a|all-tags", "Push every tag of the repository"),
            Flag.Bool("disable-content-trust", "Push without signing", "true"),
            Flag.String("platform", "Push one platform's manifest as a single-platform image.\nThe index is not pushed, so other platforms and attestations are left out.\n'os[/arch[/variant]]': the platform (e.g. linux/amd64)"),
            Flag.Bool("q|quiet", "Print less"),
        ],
        Run = async inv =>
        {
            var f = inv.Flags;
            var r = ImageReference.TryParse(inv.Args[0], out var error) ?? throw new CliException(error ?? "invalid reference format");
            var all = f.Bool("all-tags");
            if (all && r.Tag is not null)
            {
                throw new CliException("tag can't be used with --all-tags/-a");
            }

            if (!all && r.Tag is null)
            {
                await inv.Out.WriteLineAsync("Using default tag: latest");
                r = r with { Tag = "latest" };
            }

            var q = new EngineQuery().Add("tag", r.Tag).Add("platform", f.String("platform"));
            var headers = new Dictionary<string, string> { ["X-Registry-Auth"] = RegistryAuth.HeaderFor(inv.Context.Config, r.Domain == "docker.io" ? RegistryAuth.DockerHubKey : r.Domain) };
            using var response = await inv.Client.SendAsync("POST", $"/images/{r.FamiliarName}/push", q, null, headers, inv.CancellationToken);
            var quiet = f.Bool("quiet");
            var display = new JsonMessages(quiet ? TextWriter.Null : inv.Out, inv.Context.StdoutIsTerminal, Terminal.Posix.GetSize(1)?.Columns ?? 80);
            try
            {
                await display.DisplayAsync(response.Body, inv.CancellationToken);
            }
            catch (JsonMessageException e)
            {
                inv.Context.FlushOut();
                throw new CliException(e.Message);
            }

            if (quiet)
            {
                await inv.Out.WriteLineAsync(r.ToString());
            }

            return 0;
        },
    };

    private static string NormalizeServer(string server)
    {
        if (server is "docker.io" or "index.docker.io" or "registry-1.docker.io" or RegistryAuth.DockerHubKey)
        {
            return RegistryAuth.DockerHubKey;
        }

        var s = server;
        if (s.StartsWith("http://", StringComparison.Ordinal) || s.StartsWith("https://", StringComparison.Ordinal))
        {
            s = s[(s.IndexOf("://", StringComparison.Ordinal) + 3)..];
        }

        return s.TrimEnd('/');
    }

}
