using System.Text.Json.Nodes;
using Berth.Cli.Parsing;
using Berth.Cli.Streams;
using Berth.Terminal;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>exec</c>: create an exec instance, start it attached (or detached), exit with its code.</summary>
public static class ContainerExec
{
    public static CommandSpec Create(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] CONTAINER COMMAND [ARG...]",
        Short = "Run another command inside a running container",
        AliasPaths = ["container exec", "exec"],
        Interspersed = false,
        Args = ArgRule.AtLeast(2),
        Flags =
        [
            Flag.Bool("d|detach", "Start the command and return without waiting for it"),
            Flag.String("detach-keys", "Keys that detach from the container"),
            Flag.List("e|env", "Environment variable (NAME=value or NAME)"),
            Flag.List("env-file", "Read environment variables from a file"),
            Flag.Bool("i|interactive", "Hold the standard input open while nothing is attached"),
            Flag.Bool("privileged", "Run the command with every capability and no confinement"),
            Flag.Bool("t|tty", "Give the process a terminal"),
            Flag.String("u|user", "User and group to run as (\"<name|uid>[:<group|gid>]\")"),
            Flag.String("w|workdir", "Directory the process starts in"),
        ],
        Run = RunAsync,
    };

    private static async Task<int> RunAsync(Invocation inv)
    {
        var f = inv.Flags;
        var ctx = inv.Context;
        var container = inv.Args[0];
        var detach = f.Bool("detach");
        var tty = f.Bool("tty");
        var interactive = f.Bool("interactive");

        // Inspect first so that "no such container" wins over other errors.
        using (var r = await inv.Client.SendAsync("GET", $"/containers/{container}/json", null, null, null, inv.CancellationToken))
        {
            await r.ReadAsBytesAsync(inv.CancellationToken);
        }

        if (!detach && interactive && tty && !ctx.StdinIsTerminal)
        {
            throw new CliException("the input device is not a TTY");
        }

        var env = new List<string>();
        foreach (var file in f.List("env-file"))
        {
            env.AddRange(Common.ReadKeyValueFile(file, env: true));
        }

        foreach (var e in f.List("env"))
        {
            env.Add(!e.Contains('=', StringComparison.Ordinal) && Environment.GetEnvironmentVariable(e) is { } v ? e + "=" + v : e);
        }

        var detachKeys = f.String("detach-keys") ?? ctx.Config.DetachKeys;
        var size = tty && ctx.StdoutIsTerminal ? Posix.GetSize(1) : null;
        var body = new JsonObject
        {
            ["User"] = f.String("user") ?? string.Empty,
            ["Privileged"] = f.Bool("privileged"),
            ["Tty"] = tty,
            ["ConsoleSize"] = size is { } s ? new JsonArray(s.Rows, s.Columns) : null,
            ["AttachStdin"] = !detach && interactive,
            ["AttachStderr"] = !detach,
            ["AttachStdout"] = !detach,
            ["Detach"] = detach,
            ["DetachKeys"] = detachKeys ?? string.Empty,
            ["Env"] = ContainerOptions.ToArray(env),
            ["WorkingDir"] = f.String("workdir") ?? string.Empty,
            ["Cmd"] = ContainerOptions.ToArray(inv.Args.Skip(1)),
        };
        var created = await inv.Client.PostJsonAsync($"/containers/{container}/exec", null, body, inv.CancellationToken);
        var execId = Common.Str(created, "Id") ?? throw new CliException("exec ID empty");
        var start = new JsonObject { ["Detach"] = detach, ["Tty"] = tty };
        if (size is { } cs)
        {
            start["ConsoleSize"] = new JsonArray(cs.Rows, cs.Columns);
        }

        if (detach)
        {
            using var r = await inv.Client.SendAsync("POST", $"/exec/{execId}/start", null, EngineContent.Json(start.ToJsonString()), null, inv.CancellationToken);
            await r.ReadAsBytesAsync(inv.CancellationToken);
            return 0;
        }

        using var connection = await inv.Client.HijackAsync("POST", $"/exec/{execId}/start", null, EngineContent.Json(start.ToJsonString()), inv.CancellationToken);
        if (tty && ctx.StdoutIsTerminal)
        {
            await ContainerRun.ResizeAsync(inv.Client, $"/exec/{execId}/resize");
        }

        using var winch = tty && ctx.StdoutIsTerminal ? Terminal.Posix.OnWindowResize(() => { _ = ContainerRun.ResizeAsync(inv.Client, $"/exec/{execId}/resize"); }) : null;
        var streams = new HijackedStreams(ctx);
        await streams.RunAsync(connection, tty, interactive, DetachKeys.Parse(detachKeys ?? DetachKeys.Default), inv.CancellationToken);
        if (streams.Detached)
        {
            return 0;
        }

        var status = await inv.Client.GetJsonAsync($"/exec/{execId}/json", null, inv.CancellationToken);
        return (int)Common.Long(status, "ExitCode");
    }
}
