using System.Runtime.InteropServices;
using Berth.Cli.Parsing;
using Berth.Cli.Streams;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>attach</c>, and <c>start</c> (which attaches with -a/-i).</summary>
public static class ContainerAttach
{
    public static CommandSpec CreateAttach(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] CONTAINER",
        Short = "Connect this terminal's input and output to a running container",
        AliasPaths = ["container attach", "attach"],
        Args = ArgRule.Exactly(1),
        Flags =
        [
            Flag.String("detach-keys", "Keys that detach from the container"),
            Flag.Bool("no-stdin", "Leave the standard input unconnected"),
            Flag.Bool("sig-proxy", "Pass every signal berth receives on to the process", "true"),
        ],
        Run = AttachAsync,
    };

    public static CommandSpec CreateStart(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        Short = "Start containers that are not running",
        AliasPaths = ["container start", "start"],
        Args = ArgRule.AtLeast(1),
        Flags =
        [
            Flag.Bool("a|attach", "Connect to the output and pass signals on"),
            Flag.NotImplemented(Flag.String("checkpoint", "Checkpoint to restore")),
            Flag.NotImplemented(Flag.String("checkpoint-dir", "Directory the checkpoint is in")),
            Flag.String("detach-keys", "Keys that detach from the container"),
            Flag.Bool("i|interactive", "Connect to the container's input too"),
        ],
        Run = StartAsync,
    };

    private static async Task<int> StartAsync(Invocation inv)
    {
        var f = inv.Flags;
        var attach = f.Bool("attach") || f.Bool("interactive");
        if (!attach)
        {
            var failed = new List<string>();
            foreach (var c in inv.Args)
            {
                try
                {
                    using var r = await inv.Client.SendAsync("POST", $"/containers/{c}/start", null, null, null, inv.CancellationToken);
                    await inv.Out.WriteLineAsync(c);
                }
                catch (EngineApiException e)
                {
                    inv.Context.FlushOut();
                    await inv.Err.WriteLineAsync("Error response from daemon: " + e.Message);
                    failed.Add(c);
                }
            }

            if (failed.Count > 0)
            {
                throw new CliException("Error: failed to start containers: " + string.Join(", ", failed));
            }

            return 0;
        }

        if (inv.Args.Count > 1)
        {
            throw new CliException("you cannot start and attach multiple containers at once");
        }

        var info = await inv.Client.GetJsonAsync($"/containers/{inv.Args[0]}/json", null, inv.CancellationToken);
        var id = Common.Str(info, "Id")!;
        var config = info?["Config"];
        var tty = Common.Bool(config, "Tty");
        var withStdin = f.Bool("interactive") && Common.Bool(config, "OpenStdin");
        if (withStdin && tty && !inv.Context.StdinIsTerminal)
        {
            throw new CliException("the input device is not a TTY");
        }

        var detachKeys = f.String("detach-keys") ?? inv.Context.Config.DetachKeys;
        var autoRemove = Common.Bool(info?["HostConfig"], "AutoRemove");
        var query = new EngineQuery().Add("stream", "1").AddBool("stdin", withStdin).Add("stdout", "1").Add("stderr", "1").Add("detachKeys", detachKeys);
        using var connection = await inv.Client.HijackAsync("POST", $"/containers/{id}/attach", query, null, inv.CancellationToken);
        var waitTask = ContainerRun.WaitAsync(inv.Client, id, autoRemove ? "removed" : "next-exit", inv.CancellationToken);
        try
        {
            using var r = await inv.Client.SendAsync("POST", $"/containers/{id}/start", null, null, null, inv.CancellationToken);
        }
        catch (EngineApiException e)
        {
            throw new CliException("Error response from daemon: " + e.Message);
        }

        using var signals = !tty ? SignalProxy.Start(inv.Client, id) : null;
        return await StreamAsync(inv, connection, id, tty, withStdin, detachKeys, waitTask, $"/containers/{id}/resize");
    }

    private static async Task<int> AttachAsync(Invocation inv)
    {
        var f = inv.Flags;
        var info = await inv.Client.GetJsonAsync($"/containers/{inv.Args[0]}/json", null, inv.CancellationToken);
        var state = info?["State"];
        if (!Common.Bool(state, "Running"))
        {
            throw new CliException("You cannot attach to a stopped container, start it first");
        }

        if (Common.Bool(state, "Paused"))
        {
            throw new CliException("You cannot attach to a paused container, unpause it first");
        }

        if (Common.Bool(state, "Restarting"))
        {
            throw new CliException("You cannot attach to a restarting container, wait until it is running");
        }

        var id = Common.Str(info, "Id")!;
        var config = info?["Config"];
        var tty = Common.Bool(config, "Tty");
        var withStdin = !f.Bool("no-stdin") && Common.Bool(config, "OpenStdin");
        if (withStdin && tty && !inv.Context.StdinIsTerminal)
        {
            throw new CliException("the input device is not a TTY");
        }

        var detachKeys = f.String("detach-keys") ?? inv.Context.Config.DetachKeys;
        var query = new EngineQuery().Add("stream", "1").AddBool("stdin", withStdin).Add("stdout", "1").Add("stderr", "1").Add("detachKeys", detachKeys);
        using var connection = await inv.Client.HijackAsync("POST", $"/containers/{id}/attach", query, null, inv.CancellationToken);
        var waitTask = ContainerRun.WaitAsync(inv.Client, id, "not-running", inv.CancellationToken);
        using var signals = !tty && f.Bool("sig-proxy", true) ? SignalProxy.Start(inv.Client, id) : null;
        return await StreamAsync(inv, connection, id, tty, withStdin, detachKeys, waitTask, $"/containers/{id}/resize");
    }

    public static async Task<int> StreamAsync(Invocation inv, Berth.Client.Http.SocketConnection connection, string id, bool tty, bool withStdin, string? detachKeys, Task<int> waitTask, string resizePath)
    {
        var ctx = inv.Context;
        if (tty && ctx.StdoutIsTerminal)
        {
            await ContainerRun.ResizeAsync(inv.Client, resizePath);
        }

        using var winch = tty && ctx.StdoutIsTerminal ? Terminal.Posix.OnWindowResize(() => { _ = ContainerRun.ResizeAsync(inv.Client, resizePath); }) : null;
        var streams = new HijackedStreams(ctx);
        await streams.RunAsync(connection, tty, withStdin, DetachKeys.Parse(detachKeys ?? DetachKeys.Default), inv.CancellationToken);
        if (streams.Detached)
        {
            return 0;
        }

        try
        {
            return await waitTask;
        }
        catch (EngineApiException e) when (e.StatusCode == 404)
        {
            return 0;
        }
    }

}
