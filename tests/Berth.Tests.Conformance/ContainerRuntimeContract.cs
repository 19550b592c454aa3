using System.Text;
using Berth.Core.Errors;
using Berth.Runtime;

namespace Berth.Tests.Conformance;

/// <summary>
/// The behaviour every <see cref="IContainerRuntime"/> must have, as the container service relies
/// on it: start/state/wait/kill/pause/delete, exec, attach, logs, and the error kind and message
/// for unknown, invalid or stopped containers. Derived once for the fake runtime (unit tests) and
/// once for RuncRuntime with real runc (integration tests).
/// Programs used: busybox's <c>sleep</c>, <c>cat</c>, <c>echo</c> and <c>sh -c</c> with
/// <c>echo</c>, <c>&gt;&amp;2</c> and <c>exit N</c>; a fake needs to understand only these.
/// </summary>
public abstract class ContainerRuntimeContract
{
    /// <summary>Guards against hangs only: every wait below completes as soon as its event happens.</summary>
    protected static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private static readonly string[] UnknownIdOperations = ["wait", "kill", "pause", "resume", "update", "pids", "stats", "attach", "resize", "exec"];

    protected abstract IContainerRuntime Runtime { get; }

    /// <summary>A launch of a busybox root filesystem running <paramref name="args"/>, logging json-file.</summary>
    protected abstract ContainerLaunch Launch(string id, params string[] args);

    protected static string NewId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task A_process_exit_gives_its_code_its_logs_and_a_stopped_state()
    {
        var id = NewId();
        var started = await Runtime.StartAsync(Launch(id, "sh", "-c", "echo hello; echo oops >&2; exit 3"), CancellationToken.None);
        Assert.True(started.Pid > 0);

        var exit = await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(HangGuard);
        Assert.Equal(3, exit.ExitCode);
        Assert.False(exit.OomKilled);
        Assert.Equal(RuntimeState.Stopped, (await Runtime.GetStatusAsync(id, CancellationToken.None))!.State);
        Assert.Empty(await Runtime.ListPidsAsync(id, CancellationToken.None));

        var entries = await ReadLogsAsync(id);
        Assert.Contains(entries, e => e.Stream == OutputStream.Stdout && e.Text == "hello\n");
        Assert.Contains(entries, e => e.Stream == OutputStream.Stderr && e.Text == "oops\n");

        // A second wait sees the same exit.
        Assert.Equal(3, (await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(HangGuard)).ExitCode);

        await Runtime.DeleteAsync(id, CancellationToken.None);
        Assert.Null(await Runtime.GetStatusAsync(id, CancellationToken.None));
        await Runtime.DeleteAsync(id, CancellationToken.None); // idempotent
    }

    [Fact]
    public async Task A_missing_executable_fails_the_start_with_dockers_message_and_leaves_nothing()
    {
        var id = NewId();
        var e = await Assert.ThrowsAsync<BerthException>(() => Runtime.StartAsync(Launch(id, "nosuchcmd"), CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(
            "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"nosuchcmd\": executable file not found in $PATH: unknown",
            e.Message);
        Assert.Null(await Runtime.GetStatusAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task An_unknown_runtime_name_is_refused()
    {
        var e = await Assert.ThrowsAsync<BerthException>(() => Runtime.StartAsync(Launch(NewId(), "true") with { Runtime = "nope" }, CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("unknown or invalid runtime name: nope", e.Message);
    }

    [Fact]
    public async Task Sigkill_ends_a_running_container_with_137_and_then_it_is_not_running()
    {
        var id = NewId();
        var started = await Runtime.StartAsync(Launch(id, "sleep", "1000"), CancellationToken.None);
        try
        {
            var status = await Runtime.GetStatusAsync(id, CancellationToken.None);
            Assert.Equal(RuntimeState.Running, status!.State);
            Assert.Equal(started.Pid, status.Pid);
            Assert.Contains(started.Pid, await Runtime.ListPidsAsync(id, CancellationToken.None));

            await Runtime.KillAsync(id, 9, CancellationToken.None);
            var exit = await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(HangGuard);
            Assert.Equal(137, exit.ExitCode);
            Assert.Equal(RuntimeState.Stopped, (await Runtime.GetStatusAsync(id, CancellationToken.None))!.State);

            var kill = await Assert.ThrowsAsync<BerthException>(() => Runtime.KillAsync(id, 9, CancellationToken.None));
            Assert.Equal(ErrorKind.Conflict, kill.Kind);
            Assert.Equal($"Container {id} is not running", kill.Message);
            Assert.Equal(ErrorKind.Conflict, (await Assert.ThrowsAsync<BerthException>(() => Runtime.PauseAsync(id, CancellationToken.None))).Kind);
            Assert.Equal(ErrorKind.Conflict, (await Assert.ThrowsAsync<BerthException>(() => Runtime.AttachAsync(id, CancellationToken.None))).Kind);
            Assert.Equal(ErrorKind.Conflict, (await Assert.ThrowsAsync<BerthException>(() => Runtime.ExecAsync(id, new ExecLaunch { Args = ["true"] }, CancellationToken.None))).Kind);
        }
        finally
        {
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Starting_a_running_container_again_is_a_conflict()
    {
        var id = NewId();
        await Runtime.StartAsync(Launch(id, "sleep", "1000"), CancellationToken.None);
        try
        {
            var e = await Assert.ThrowsAsync<BerthException>(() => Runtime.StartAsync(Launch(id, "sleep", "1000"), CancellationToken.None));
            Assert.Equal(ErrorKind.Conflict, e.Kind);
            Assert.Equal(RuntimeState.Running, (await Runtime.GetStatusAsync(id, CancellationToken.None))!.State);
        }
        finally
        {
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Deleting_a_running_container_kills_it_and_forgets_it()
    {
        var id = NewId();
        await Runtime.StartAsync(Launch(id, "sleep", "1000"), CancellationToken.None);
        await Runtime.DeleteAsync(id, CancellationToken.None);
        Assert.Null(await Runtime.GetStatusAsync(id, CancellationToken.None));
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<BerthException>(() => Runtime.KillAsync(id, 9, CancellationToken.None))).Kind);
    }

    [Fact]
    public async Task Pause_and_resume_show_in_the_state()
    {
        var id = NewId();
        await Runtime.StartAsync(Launch(id, "sleep", "1000"), CancellationToken.None);
        try
        {
            await Runtime.PauseAsync(id, CancellationToken.None);
            Assert.Equal(RuntimeState.Paused, (await Runtime.GetStatusAsync(id, CancellationToken.None))!.State);
            await Runtime.ResumeAsync(id, CancellationToken.None);
            Assert.Equal(RuntimeState.Running, (await Runtime.GetStatusAsync(id, CancellationToken.None))!.State);

            // SIGKILL reaches a paused container too (the runtime thaws it, as Docker does).
            await Runtime.PauseAsync(id, CancellationToken.None);
            await Runtime.KillAsync(id, 9, CancellationToken.None);
            Assert.Equal(137, (await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(HangGuard)).ExitCode);
        }
        finally
        {
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Exec_runs_a_process_with_its_output_input_and_exit_code()
    {
        var id = NewId();
        await Runtime.StartAsync(Launch(id, "sleep", "1000"), CancellationToken.None);
        try
        {
            await using (var exec = await Runtime.ExecAsync(id, new ExecLaunch { Args = ["sh", "-c", "echo out; echo err >&2; exit 5"] }, CancellationToken.None))
            {
                Assert.True(exec.Pid > 0);
                var (stdout, stderr) = await CollectAsync(exec.ReadOutputAsync(CancellationToken.None)).WaitAsync(HangGuard);
                Assert.Equal("out\n", stdout);
                Assert.Equal("err\n", stderr);
                Assert.Equal(5, await exec.WaitAsync(CancellationToken.None).WaitAsync(HangGuard));
            }

            await using (var exec = await Runtime.ExecAsync(id, new ExecLaunch { Args = ["cat"], AttachStdin = true }, CancellationToken.None))
            {
                var reading = CollectAsync(exec.ReadOutputAsync(CancellationToken.None));
                await exec.WriteInputAsync("ping\n"u8.ToArray(), CancellationToken.None);
                await exec.CloseInputAsync(CancellationToken.None);
                Assert.Equal("ping\n", (await reading.WaitAsync(HangGuard)).Stdout);
                Assert.Equal(0, await exec.WaitAsync(CancellationToken.None).WaitAsync(HangGuard));
            }

            var e = await Assert.ThrowsAsync<BerthException>(() => Runtime.ExecAsync(id, new ExecLaunch { Args = ["nosuch"] }, CancellationToken.None));
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Equal("OCI runtime exec failed: exec failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH: unknown", e.Message);

            // The container itself is unaffected by its execs.
            Assert.Equal(RuntimeState.Running, (await Runtime.GetStatusAsync(id, CancellationToken.None))!.State);
        }
        finally
        {
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Attach_carries_stdin_to_the_container_and_its_output_back()
    {
        var id = NewId();
        var launch = Launch(id, "cat");
        await Runtime.StartAsync(launch with { Process = launch.Process with { OpenStdin = true } }, CancellationToken.None);
        try
        {
            await using var attachment = await Runtime.AttachAsync(id, CancellationToken.None);
            var reading = CollectAsync(attachment.ReadOutputAsync(CancellationToken.None));
            await attachment.WriteInputAsync("ping\n"u8.ToArray(), CancellationToken.None);
            await attachment.CloseInputAsync(CancellationToken.None);
            Assert.Equal("ping\n", (await reading.WaitAsync(HangGuard)).Stdout);
            Assert.Equal(0, (await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(HangGuard)).ExitCode);
            Assert.Contains(await ReadLogsAsync(id), e => e.Stream == OutputStream.Stdout && e.Text == "ping\n");
        }
        finally
        {
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Resizing_a_container_without_a_tty_is_a_conflict()
    {
        var id = NewId();
        await Runtime.StartAsync(Launch(id, "sleep", "1000"), CancellationToken.None);
        try
        {
            var e = await Assert.ThrowsAsync<BerthException>(() => Runtime.ResizeAsync(id, 24, 80, CancellationToken.None));
            Assert.Equal(ErrorKind.Conflict, e.Kind);
            Assert.Equal($"Container {id} does not have a TTY", e.Message);
        }
        finally
        {
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Logs_of_a_container_with_the_none_driver_cannot_be_read()
    {
        var id = NewId();
        await Runtime.StartAsync(Launch(id, "true") with { LogDriver = "none" }, CancellationToken.None);
        try
        {
            await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(HangGuard);
            var e = await Assert.ThrowsAsync<BerthException>(() => ReadLogsAsync(id));
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Equal("configured logging driver does not support reading", e.Message);
        }
        finally
        {
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    public static TheoryData<string> UnknownIdCases() => [.. UnknownIdOperations];

    [Theory]
    [MemberData(nameof(UnknownIdCases))]
    public async Task Operations_on_an_unknown_container_are_not_found(string operation)
    {
        var id = NewId();
        Assert.Null(await Runtime.GetStatusAsync(id, CancellationToken.None));
        await Runtime.DeleteAsync(id, CancellationToken.None);
        var e = await Assert.ThrowsAsync<BerthException>(() => Operation(operation, id));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal($"No such container: {id}", e.Message);
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData(".hidden")]
    public async Task Ids_that_could_name_another_path_are_refused(string id)
    {
        Assert.Equal(ErrorKind.InvalidArgument, (await Assert.ThrowsAsync<BerthException>(() => Runtime.GetStatusAsync(id, CancellationToken.None))).Kind);
        Assert.Equal(ErrorKind.InvalidArgument, (await Assert.ThrowsAsync<BerthException>(() => Runtime.DeleteAsync(id, CancellationToken.None))).Kind);
        Assert.Equal(ErrorKind.InvalidArgument, (await Assert.ThrowsAsync<BerthException>(() => Runtime.StartAsync(Launch(NewId(), "true") with { Id = id }, CancellationToken.None))).Kind);
    }

    private async Task Operation(string operation, string id)
    {
        switch (operation)
        {
            case "wait": await Runtime.WaitAsync(id, CancellationToken.None); break;
            case "kill": await Runtime.KillAsync(id, 9, CancellationToken.None); break;
            case "pause": await Runtime.PauseAsync(id, CancellationToken.None); break;
            case "resume": await Runtime.ResumeAsync(id, CancellationToken.None); break;
            case "update": await Runtime.UpdateAsync(id, new ContainerResources { Memory = 64L << 20 }, CancellationToken.None); break;
            case "pids": await Runtime.ListPidsAsync(id, CancellationToken.None); break;
            case "stats": await Runtime.GetStatsAsync(id, CancellationToken.None); break;
            case "attach": await (await Runtime.AttachAsync(id, CancellationToken.None)).DisposeAsync(); break;
            case "resize": await Runtime.ResizeAsync(id, 24, 80, CancellationToken.None); break;
            case "exec": await (await Runtime.ExecAsync(id, new ExecLaunch { Args = ["true"] }, CancellationToken.None)).DisposeAsync(); break;
            default: throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }
    }

    private async Task<List<(OutputStream Stream, string Text)>> ReadLogsAsync(string id)
    {
        var list = new List<(OutputStream, string)>();
        await foreach (var e in Runtime.ReadLogsAsync(id, new LogReadOptions(), CancellationToken.None))
        {
            list.Add((e.Stream, Encoding.UTF8.GetString(e.Line.Span)));
        }

        return list;
    }

    private static async Task<(string Stdout, string Stderr)> CollectAsync(IAsyncEnumerable<OutputChunk> chunks)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        await foreach (var c in chunks)
        {
            (c.Stream == OutputStream.Stdout ? stdout : stderr).Append(Encoding.UTF8.GetString(c.Data.Span));
        }

        return (stdout.ToString(), stderr.ToString());
    }
}
