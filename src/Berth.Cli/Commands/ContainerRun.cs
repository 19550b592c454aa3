using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Cli.Streams;
using Berth.Terminal;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>run</c> and <c>create</c>: create (pulling when missing), then for run attach, start and wait.</summary>
public static class ContainerRun
{
    public static CommandSpec CreateRun(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
        Short = "Make a container from an image and start it",
        AliasPaths = ["container run", "run"],
        Interspersed = false,
        Args = ArgRule.AtLeast(1),
        Flags = ContainerOptions.Flags(run: true),
        Run = RunAsync,
    };

    public static CommandSpec CreateCreate(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
        Short = "Make a container from an image without starting it",
        AliasPaths = ["container create", "create"],
        Interspersed = false,
        Args = ArgRule.AtLeast(1),
        Flags = ContainerOptions.Flags(run: false),
        Run = CreateAsync,
    };

    private static async Task<int> CreateAsync(Invocation inv)
    {
        try
        {
            var request = ContainerOptions.Build(inv.Flags, inv.Args[0], inv.Args.Skip(1).ToList(), inv.Context.StdinIsTerminal, null);
            var id = await CreateContainerAsync(inv, request);
            await inv.Out.WriteLineAsync(id);
            return 0;
        }
        catch (CliException e) when (e.ExitCode == 125)
        {
            throw RunError(inv, e);
        }
    }

    private static async Task<int> RunAsync(Invocation inv)
    {
        var f = inv.Flags;
        var detach = f.Bool("detach");
        if (detach && f.List("attach").Count > 0)
        {
            throw new CliException("conflicting options: cannot specify both --attach and --detach");
        }

        var ctx = inv.Context;
        var client = inv.Client;
        string id;
        bool tty;
        bool openStdin;
        bool attachStdin;
        bool attachStdout;
        bool attachStderr;
        bool autoRemove;
        try
        {

            var size = f.Bool("tty") && ctx.StdoutIsTerminal ? Posix.GetSize(1) : null;
            var request = ContainerOptions.Build(f, inv.Args[0], inv.Args.Skip(1).ToList(), ctx.StdinIsTerminal, size);
            var body = request.Body;
            tty = body["Tty"]!.GetValue<bool>();
            openStdin = body["OpenStdin"]!.GetValue<bool>();
            autoRemove = f.Bool("rm");
            if (detach)
            {
                body["AttachStdin"] = false;
                body["AttachStdout"] = false;
                body["AttachStderr"] = false;
                body["StdinOnce"] = false;
            }
            else if (body["AttachStdin"]!.GetValue<bool>() && tty && !ctx.StdinIsTerminal)
            {
                throw new CliException("the input device is not a TTY", 1);
            }

            attachStdin = body["AttachStdin"]!.GetValue<bool>();
            attachStdout = body["AttachStdout"]!.GetValue<bool>();
            attachStderr = body["AttachStderr"]!.GetValue<bool>();
            id = await CreateContainerAsync(inv, request);
        }
        catch (Exception e) when (e is EngineApiException or EngineConnectionException or CliException { ExitCode: 125 })
        {
            throw RunError(inv, e);
        }

        if (detach)
        {
            try
            {
                using var r = await client.SendAsync("POST", $"/containers/{id}/start", null, null, null, inv.CancellationToken);
            }
            catch (EngineApiException e)
            {
                throw StartError(inv, e);
            }

            await inv.Out.WriteLineAsync(id);
            return 0;
        }

        var detachKeys = f.String("detach-keys") ?? ctx.Config.DetachKeys;
        var attach = attachStdin || attachStdout || attachStderr;
        Berth.Client.Http.SocketConnection? connection = null;
        if (attach)
        {
            var query = new EngineQuery().Add("stream", "1")
                .AddBool("stdin", attachStdin).AddBool("stdout", attachStdout).AddBool("stderr", attachStderr)
                .Add("detachKeys", detachKeys);
            connection = await client.HijackAsync("POST", $"/containers/{id}/attach", query, null, inv.CancellationToken);
        }

        // Wait before starting so that a fast exit is not missed (docker's waitExitOrRemoved).
        var waitTask = WaitAsync(client, id, autoRemove ? "removed" : "next-exit", inv.CancellationToken);
        try
        {
            using var r = await client.SendAsync("POST", $"/containers/{id}/start", null, null, null, inv.CancellationToken);
        }
        catch (EngineApiException e)
        {
            connection?.Dispose();
            if (autoRemove)
            {
                try
                {
                    await waitTask;
                }
                catch (Exception)
                {
                }
            }

            throw StartError(inv, e);
        }

        using var signals = !tty && f.Bool("sig-proxy", true) ? SignalProxy.Start(client, id) : null;
        if (connection is not null)
        {
            using (connection)
            {
                if (tty && ctx.StdoutIsTerminal)
                {
                    await ResizeAsync(client, $"/containers/{id}/resize");
                }

                using var winch = tty && ctx.StdoutIsTerminal ? Terminal.Posix.OnWindowResize(() => { _ = ResizeAsync(client, $"/containers/{id}/resize"); }) : null;
                var streams = new HijackedStreams(ctx);
                await streams.RunAsync(connection, tty, attachStdin, DetachKeys.Parse(detachKeys ?? DetachKeys.Default), inv.CancellationToken);
                if (streams.Detached)
                {
                    return 0;
                }
            }
        }

        int status;
        try
        {
            status = await waitTask;
        }
        catch (EngineApiException e) when (autoRemove && e.StatusCode == 404)
        {
            status = 0;
        }

        return status;
    }

    /// <summary>POST /containers/{id}/wait; the exit status (or an error reported by the engine).</summary>
    public static async Task<int> WaitAsync(EngineClient client, string id, string condition, CancellationToken cancellationToken)
    {
        using var response = await client.SendAsync("POST", $"/containers/{id}/wait", new EngineQuery().Add("condition", condition), null, null, cancellationToken);
        var result = await response.ReadJsonAsync(cancellationToken);
        if (result?["Error"] is JsonObject err && Common.Str(err, "Message") is { Length: > 0 } message)
        {
            throw new CliException(message, 125);
        }

        return (int)Common.Long(result, "StatusCode");
    }

    public static async Task ResizeAsync(EngineClient client, string path)
    {
        if (Posix.GetSize(1) is not { } size)
        {
            return;
        }

        try
        {
            using var r = await client.SendAsync("POST", path, new EngineQuery().Add("h", Common.I(size.Rows)).Add("w", Common.I(size.Columns)));
        }
        catch (EngineApiException)
        {
        }
    }

    /// <summary>Creates the container; pulls the image first ("always") or when missing ("missing").</summary>
    public static async Task<string> CreateContainerAsync(Invocation inv, ContainerOptions.CreateRequest request)
    {
        var f = inv.Flags;
        var pull = f.String("pull") ?? "missing";
        if (pull is not ("always" or "missing" or "never"))
        {
            throw new CliException($"invalid pull option: '{pull}': must be one of \"always\", \"missing\" or \"never\"", 125);
        }

        var reference = ImageReference.TryParse(request.Image, out var refError);
        var isId = System.Text.RegularExpressions.Regex.IsMatch(request.Image, "^(sha256:)?[0-9a-f]{12,64}$");
        if (reference is null && !isId)
        {
            throw new CliException(refError ?? "invalid reference format", 125);
        }

        var tagged = reference is null ? request.Image : reference.Tag is null && reference.Digest is null ? reference.FamiliarName + ":latest" : reference.FamiliarString;
        if (pull == "always" && reference is not null)
        {
            await ImagePull.PullAsync(inv, tagged, request.Platform, f.Bool("quiet"), toStderr: true);
        }

        var query = new EngineQuery().Add("name", request.Name).Add("platform", request.Platform);
        JsonNode? response;
        try
        {
            response = await inv.Client.PostJsonAsync("/containers/create", query, request.Body, inv.CancellationToken);
        }
        catch (EngineApiException e) when (e.StatusCode == 404 && pull == "missing" && reference is not null && !e.Message.Contains("network", StringComparison.OrdinalIgnoreCase))
        {
            if (!f.Bool("quiet"))
            {
                await inv.Err.WriteLineAsync($"Unable to find image '{tagged}' locally");
            }

            await ImagePull.PullAsync(inv, tagged, request.Platform, f.Bool("quiet"), toStderr: true);
            response = await inv.Client.PostJsonAsync("/containers/create", query, request.Body, inv.CancellationToken);
        }

        foreach (var w in Common.Strings(response?["Warnings"]))
        {
            await inv.Err.WriteLineAsync("WARNING: " + w);
        }

        var id = Common.Str(response, "Id") ?? throw new CliException("the engine returned no container ID", 125);
        if (f.String("cidfile") is { Length: > 0 } cidfile)
        {
            if (File.Exists(cidfile))
            {
                throw new CliException($"container ID file found, make sure the other container isn't running or delete {cidfile}", 125);
            }

            await File.WriteAllTextAsync(cidfile, id, inv.CancellationToken);
        }

        return id;
    }

    private static CliException RunError(Invocation inv, Exception e)
    {
        var message = e switch
        {
            EngineApiException api => "Error response from daemon: " + api.Message,
            _ => e.Message,
        };
        return new CliException($"{inv.Context.BinaryName}: {message}\n\nRun '{inv.Command.Path} --help' for more information", 125);
    }

    private static CliException StartError(Invocation inv, EngineApiException e)
    {
        var code = 125;
        if (e.Message.Contains("executable file not found", StringComparison.Ordinal) || e.Message.Contains("no such file or directory", StringComparison.Ordinal))
        {
            code = 127;
        }
        else if (e.Message.Contains("permission denied", StringComparison.Ordinal) || e.Message.Contains("is a directory", StringComparison.Ordinal))
        {
            code = 126;
        }

        return new CliException($"{inv.Context.BinaryName}: Error response from daemon: {e.Message}\n\nRun '{inv.Command.Path} --help' for more information", code);
    }
}
