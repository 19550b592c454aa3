using Berth.Api.Streams;
using Berth.Cli.Parsing;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>logs</c>: raw for a TTY container, demultiplexed to stdout/stderr otherwise.</summary>
public static class ContainerLogs
{
    public static CommandSpec Create(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] CONTAINER",
        Short = "Fetch the logs of a container",
        AliasPaths = ["container logs", "logs"],
        Args = ArgRule.Exactly(1),
        Flags =
        [
            Flag.Bool("details", "Show extra details provided to logs"),
            Flag.Bool("f|follow", "Follow log output"),
            Flag.String("since", "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"),
            Flag.String("n|tail", "Number of lines to show from the end of the logs", "all"),
            Flag.Bool("t|timestamps", "Show timestamps"),
            Flag.String("until", "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"),
        ],
        Run = RunAsync,
    };

    private static async Task<int> RunAsync(Invocation inv)
    {
        var f = inv.Flags;
        var info = await inv.Client.GetJsonAsync($"/containers/{inv.Args[0]}/json", null, inv.CancellationToken);
        var tty = Common.Bool(info?["Config"], "Tty");
        var now = inv.Context.Clock.GetUtcNow();
        var query = new EngineQuery()
            .Add("stdout", "1").Add("stderr", "1")
            .Add("since", f.String("since") is { } since ? TimeArg.ToTimestamp(since, now, "since") : null)
            .Add("until", f.String("until") is { } until ? TimeArg.ToTimestamp(until, now, "until") : null)
            .AddBool("timestamps", f.Bool("timestamps"))
            .AddBool("follow", f.Bool("follow"))
            .Add("tail", f.String("tail") ?? "all")
            .AddBool("details", f.Bool("details"));
        using var response = await inv.Client.SendAsync("GET", $"/containers/{inv.Args[0]}/logs", query, null, null, inv.CancellationToken);
        inv.Context.FlushOut();
        if (tty)
        {
            await response.Body.CopyToAsync(inv.Context.StdoutStream, inv.CancellationToken);
        }
        else
        {
            await StdCopy.DemultiplexAsync(response.Body, inv.Context.StdoutStream, inv.Context.StderrStream, inv.CancellationToken);
        }

        return 0;
    }
}
