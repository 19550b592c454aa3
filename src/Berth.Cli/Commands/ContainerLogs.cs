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
        Short = "Print what a container wrote to its output",
        AliasPaths = ["container logs", "logs"],
        Args = ArgRule.Exactly(1),
        Flags =
        [
            Flag.Bool("details", "Add the attributes logged with each line"),
            Flag.Bool("f|follow", "Keep printing new output as it comes"),
            Flag.String("since", "Only lines from this time on: a timestamp (\"2024-05-01T10:00:00Z\") or an age (\"42m\")"),
            Flag.String("n|tail", "Start with this many lines from the end (\"all\" for everything)", "all"),
            Flag.Bool("t|timestamps", "Prefix each line with its time"),
            Flag.String("until", "Only lines before this time: a timestamp (\"2024-05-01T10:00:00Z\") or an age (\"42m\")"),
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
