using Berth.Cli.Parsing;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>stop, kill, restart, pause, unpause, rm, wait, rename: one request per container.</summary>
public static class ContainerLifecycle
{
    public static CommandSpec Stop(string name) => Multi(name, "Stop running containers: a signal first, a kill after the grace period", "stop",
        [Flag.String("s|signal", "Signal to send (name or number)"), Flag.Int("t|timeout", "Grace period in seconds before the container is killed"), Flag.Int("time", "Grace period in seconds before the container is killed", hidden: true)],
        inv => new EngineQuery().Add("signal", inv.Flags.String("signal")).Add("t", Timeout(inv)));

    public static CommandSpec Restart(string name) => Multi(name, "Stop and start containers again", "restart",
        [Flag.String("s|signal", "Signal to send (name or number)"), Flag.Int("t|timeout", "Grace period in seconds before the container is killed"), Flag.Int("time", "Grace period in seconds before the container is killed", hidden: true)],
        inv => new EngineQuery().Add("signal", inv.Flags.String("signal")).Add("t", Timeout(inv)));

    public static CommandSpec Kill(string name) => Multi(name, "Send a signal (KILL unless told otherwise) to running containers", "kill",
        [Flag.String("s|signal", "Signal to send (name or number)")],
        inv => new EngineQuery().Add("signal", inv.Flags.String("signal")));

    public static CommandSpec Pause(string name) => Multi(name, "Freeze every process of the given containers", "pause", [], _ => null, "CONTAINER [CONTAINER...]");

    public static CommandSpec Unpause(string name) => Multi(name, "Thaw the processes of paused containers", "unpause", [], _ => null, "CONTAINER [CONTAINER...]");

    public static CommandSpec Remove(string name, IReadOnlyList<string> aliases) => new()
    {
        Name = name,
        Aliases = aliases,
        Usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        Short = "Delete containers",
        AliasPaths = ["container rm", "container remove", "rm"],
        Args = ArgRule.AtLeast(1),
        Flags =
        [
            Flag.Bool("f|force", "Kill a running container first (SIGKILL), then delete it"),
            Flag.Bool("l|link", "Remove a legacy link rather than a container"),
            Flag.Bool("v|volumes", "Delete the container's anonymous volumes as well"),
        ],
        Run = inv => ForEachAsync(inv, async c =>
        {
            var q = new EngineQuery().AddBool("v", inv.Flags.Bool("volumes")).AddBool("link", inv.Flags.Bool("link")).AddBool("force", inv.Flags.Bool("force"));
            await inv.Client.DeleteAsync($"/containers/{Trim(c)}", q, inv.CancellationToken);
            await inv.Out.WriteLineAsync(c);
        }),
    };

    public static CommandSpec Wait(string name) => new()
    {
        Name = name,
        Usage = "CONTAINER [CONTAINER...]",
        Short = "Wait for containers to stop and print each exit code",
        AliasPaths = ["container wait", "wait"],
        Args = ArgRule.AtLeast(1),
        Run = inv => ForEachAsync(inv, async c =>
        {
            var code = await ContainerRun.WaitAsync(inv.Client, c, "not-running", inv.CancellationToken);
            await inv.Out.WriteLineAsync(Common.I(code));
        }),
    };

    public static CommandSpec Rename(string name) => new()
    {
        Name = name,
        Usage = "CONTAINER NEW_NAME",
        Short = "Give a container a new name",
        AliasPaths = ["container rename", "rename"],
        Args = ArgRule.Exactly(2),
        Run = async inv =>
        {
            var newName = inv.Args[1].Trim();
            if (inv.Args[0].Trim().Length == 0 || newName.Length == 0)
            {
                throw new CliException("Error: neither old nor new names may be empty");
            }

            try
            {
                using var r = await inv.Client.SendAsync("POST", $"/containers/{inv.Args[0]}/rename", new EngineQuery().Add("name", newName), null, null, inv.CancellationToken);
            }
            catch (EngineApiException e)
            {
                throw new CliException($"Error response from daemon: {e.Message}\nError: failed to rename container named {inv.Args[0]}");
            }

            return 0;
        },
    };

    private static string? Timeout(Invocation inv) =>
        inv.Flags.IsSet("timeout") ? Common.I(inv.Flags.Int("timeout")) : inv.Flags.IsSet("time") ? Common.I(inv.Flags.Int("time")) : null;

    private static string Trim(string name) => name.TrimStart('/');

    private static CommandSpec Multi(string name, string shortText, string action, List<FlagSpec> flags, Func<Invocation, EngineQuery?> query, string usage = "[OPTIONS] CONTAINER [CONTAINER...]") => new()
    {
        Name = name,
        Usage = usage,
        Short = shortText,
        AliasPaths = ["container " + action, action],
        Args = ArgRule.AtLeast(1),
        Flags = flags,
        Run = inv => ForEachAsync(inv, async c =>
        {
            using var r = await inv.Client.SendAsync("POST", $"/containers/{c}/{action}", query(inv), null, null, inv.CancellationToken);
            await r.ReadAsBytesAsync(inv.CancellationToken);
            await inv.Out.WriteLineAsync(c);
        }),
    };

    /// <summary>Runs an action for each argument; errors are collected and reported at the end (exit 1).</summary>
    public static async Task<int> ForEachAsync(Invocation inv, Func<string, Task> action)
    {
        var errors = new List<string>();
        foreach (var c in inv.Args)
        {
            try
            {
                await action(c);
            }
            catch (EngineApiException e)
            {
                errors.Add("Error response from daemon: " + e.Message);
            }
            catch (CliException e)
            {
                errors.Add(e.Message);
            }
        }

        if (errors.Count > 0)
        {
            throw new CliException(string.Join("\n", errors));
        }

        return 0;
    }
}
