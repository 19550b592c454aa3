using System.Text;
using Berth.Containers;
using Berth.Containers.Exec;
using Berth.Containers.Model;
using Berth.Containers.Streams;
using Berth.Core.Errors;
using Berth.Core.Events;
using Berth.Runtime;

namespace Berth.Tests.Unit.Containers;

/// <summary>The container service's state machine over a fake runtime and image store (component tests: only the OS is faked).</summary>
public sealed class ContainerServiceTests : IAsyncLifetime
{
    private readonly ServiceFixture _f = new();

    private ContainerEngine Svc => _f.Service;

    public Task InitializeAsync() => _f.Service.InitializeAsync(CancellationToken.None);

    public async Task DisposeAsync() => await _f.DisposeAsync();

    /// <summary>Waits for a condition that stays true once reached; the 60 s only guard against a hang.</summary>
    private static async Task Eventually(Func<bool> condition, string what)
    {
        var guard = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (guard.Elapsed > TimeSpan.FromSeconds(60))
            {
                Assert.Fail($"timed out waiting for: {what}");
            }

            await Task.Delay(10);
        }
    }

    private async Task<string> CreateAsync(string? name = null, IReadOnlyList<string>? cmd = null, HostConfig? hc = null, ContainerConfig? config = null)
    {
        var r = await Svc.Creator.CreateAsync(new CreateContainerRequest
        {
            Name = name,
            Config = (config ?? new ContainerConfig()) with { Image = "busybox", Cmd = cmd ?? ["sleep", "600"] },
            HostConfig = hc ?? new HostConfig { NetworkMode = "none" },
        }, CancellationToken.None);
        return r.Id;
    }

    private List<EngineEvent> Events(string id)
    {
        using var sub = _f.Events.Subscribe();
        return [.. sub.Past.Where(e => e.ActorId == id)];
    }

    [Fact]
    public async Task Create_records_the_container_with_dockers_defaults()
    {
        var id = await CreateAsync("web");
        var c = Svc.Queries.Get("web");
        Assert.Equal(id, c.Id);
        Assert.Equal("created", c.State.Status);
        Assert.Equal(id[..12], c.Config.Hostname);
        Assert.Equal("sleep", c.Path);
        Assert.Equal(["600"], c.Args);
        Assert.Equal(FakeImages.BusyboxId, c.ImageId);
        Assert.Equal(Path.Combine(_f.Options.ContainersRoot, id, id + "-json.log"), c.LogPath);
        Assert.True(File.Exists(Path.Combine(_f.Options.ContainersRoot, id, "config.v2.json")));
        Assert.Equal("nameserver 10.0.0.2\nsearch example.org\n", File.ReadAllText(c.ResolvConfPath));
        Assert.Equal(id, Svc.Queries.Get(id[..5]).Id);
        Assert.Equal(["create"], Events(id).Select(e => e.Action));
    }

    [Fact]
    public async Task Name_conflicts_and_missing_images_give_dockers_errors()
    {
        var id = await CreateAsync("dup");
        var conflict = await Assert.ThrowsAsync<BerthException>(() => CreateAsync("dup"));
        Assert.Equal(ErrorKind.Conflict, conflict.Kind);
        Assert.Equal($"Conflict. The container name \"/dup\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name.", conflict.Message);

        var missing = await Assert.ThrowsAsync<BerthException>(() => Svc.Creator.CreateAsync(new CreateContainerRequest { Config = new ContainerConfig { Image = "nosuch" } }, CancellationToken.None));
        Assert.Equal((ErrorKind.NotFound, "No such image: nosuch"), (missing.Kind, missing.Message));
        Assert.Equal("No such container: nope", Assert.Throws<BerthException>(() => Svc.Queries.Get("nope")).Message);
    }

    [Fact]
    public async Task Without_a_network_service_the_default_bridge_is_an_isolated_namespace()
    {
        var r = await Svc.Creator.CreateAsync(new CreateContainerRequest { Config = new ContainerConfig { Image = "busybox" }, HostConfig = new HostConfig { NetworkMode = "default" } }, CancellationToken.None);
        Assert.Empty(r.Warnings);
        Assert.Equal("bridge", Svc.Queries.Get(r.Id).HostConfig.NetworkMode);
        Assert.Matches("^[a-z]+_[a-z]+$", Svc.Queries.Get(r.Id).Name);
        await Svc.Lifecycle.StartAsync(r.Id, CancellationToken.None);
        Assert.Equal("none", _f.Runtime.Launches.Single().NetworkMode);
    }

    [Fact]
    public async Task Start_runs_the_process_and_a_second_start_is_not_modified()
    {
        var id = await CreateAsync();
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        var c = Svc.Queries.Get(id);
        Assert.Equal(("running", _f.Runtime.Process(id).Pid), (c.State.Status, c.State.Pid));
        var launch = _f.Runtime.Launches.Single();
        Assert.Equal(["sleep", "600"], launch.Process.Args);
        Assert.Contains(launch.Mounts, m => m.Destination == "/etc/hosts");
        Assert.Equal($"/berth/{id}", launch.CgroupPath);
        var again = await Assert.ThrowsAsync<BerthException>(() => Svc.Lifecycle.StartAsync(id, CancellationToken.None));
        Assert.Equal(ErrorKind.NotModified, again.Kind);
    }

    [Fact]
    public async Task Stop_sends_sigterm_then_sigkill_after_the_timeout()
    {
        _f.Runtime.IgnoredSignals.Add(Signals.SigTerm);
        var id = await CreateAsync();
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        var stop = Svc.Lifecycle.StopAsync(id, 1, null, CancellationToken.None);
        await Eventually(() => _f.Runtime.Signals.Count == 1, "SIGTERM sent");
        Assert.False(stop.IsCompleted);
        _f.Time.Advance(TimeSpan.FromSeconds(1));
        await stop;
        var c = Svc.Queries.Get(id);
        Assert.Equal(("exited", 137), (c.State.Status, c.State.ExitCode));
        Assert.Equal([15, 9], _f.Runtime.Signals.Select(s => s.Signal));
        Assert.True(c.HasBeenManuallyStopped);
        Assert.Equal(["create", "start", "kill", "kill", "die", "stop"], Events(id).Select(e => e.Action));
        Assert.Equal(ErrorKind.NotModified, (await Assert.ThrowsAsync<BerthException>(() => Svc.Lifecycle.StopAsync(id, null, null, CancellationToken.None))).Kind);
    }

    [Fact]
    public async Task A_stop_that_races_a_natural_exit_succeeds_with_that_exit()
    {
        _f.Runtime.IgnoredSignals.Add(Signals.SigTerm);
        var id = await CreateAsync();
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        _f.Runtime.HoldExitReports = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = Svc.Lifecycle.StopAsync(id, 1, null, CancellationToken.None);
        await Eventually(() => _f.Runtime.Signals.Count == 1, "SIGTERM sent");
        _f.Runtime.Process(id).ExitWith(0); // exits on its own just as the timeout ends
        _f.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually(() => _f.Runtime.Signals.Count == 2, "SIGKILL attempted");
        _f.Runtime.HoldExitReports.SetResult();
        await stop;
        Assert.Equal(("exited", 0), (Svc.Queries.Get(id).State.Status, Svc.Queries.Get(id).State.ExitCode));
    }

    [Fact]
    public async Task A_graceful_stop_keeps_the_process_exit_code()
    {
        var id = await CreateAsync();
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        await Svc.Lifecycle.StopAsync(id, null, null, CancellationToken.None);
        Assert.Equal(143, Svc.Queries.Get(id).State.ExitCode);
        Assert.Equal("143", Events(id).Single(e => e.Action == "die").Attributes["exitCode"]);
    }

    [Fact]
    public async Task Kill_needs_a_running_container_and_sends_the_signal()
    {
        var id = await CreateAsync();
        var e = await Assert.ThrowsAsync<BerthException>(() => Svc.Lifecycle.KillAsync(id, null, CancellationToken.None));
        Assert.Equal((ErrorKind.Conflict, $"container {id} is not running"), (e.Kind, e.Message));
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        await Svc.Lifecycle.KillAsync(id, "HUP", CancellationToken.None);
        await Eventually(() => Svc.Queries.Get(id).State.Status == "exited", "exit after HUP");
        Assert.Equal(129, Svc.Queries.Get(id).State.ExitCode);
        Assert.Equal("1", Events(id).Single(ev => ev.Action == "kill").Attributes["signal"]);
        Assert.Equal("Invalid signal: NOPE", (await Assert.ThrowsAsync<BerthException>(() => Svc.Lifecycle.KillAsync(id, "NOPE", CancellationToken.None))).Message);
    }

    [Fact]
    public async Task Wait_registered_before_start_sees_the_exit()
    {
        var id = await CreateAsync();
        Assert.Equal(0, (await Svc.Lifecycle.WaitAsync(id, WaitCondition.NotRunning, CancellationToken.None)).StatusCode);
        var wait = Svc.Lifecycle.WaitAsync(id, WaitCondition.NextExit, CancellationToken.None);
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        _f.Runtime.Process(id).ExitWith(7);
        Assert.Equal(7, (await wait.WaitAsync(TimeSpan.FromSeconds(5))).StatusCode);
    }

    [Fact]
    public async Task On_failure_restarts_with_back_off_up_to_the_limit()
    {
        var id = await CreateAsync(hc: new HostConfig { NetworkMode = "none", RestartPolicy = new RestartPolicy("on-failure", 2) });
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        for (var run = 1; run <= 3; run++)
        {
            var pid = Svc.Queries.Get(id).State.Pid;
            _f.Runtime.Process(id).ExitWith(3);
            if (run < 3)
            {
                await Eventually(() => Svc.Queries.Get(id).State.Restarting, "restarting");
                Assert.Equal("restarting", Svc.Queries.Get(id).State.Status);
                // The back-off timer is armed just after "restarting" shows: advance until it fires.
                var backOff = TimeSpan.FromMilliseconds(100 * (1 << (run - 1)));
                await Eventually(() => { _f.Time.Advance(backOff); return Svc.Queries.Get(id).State.IsActive && Svc.Queries.Get(id).State.Pid != pid; }, $"restart {run}");
            }
        }

        await Eventually(() => Svc.Queries.Get(id).State.Status == "exited", "given up");
        var c = Svc.Queries.Get(id);
        Assert.Equal((2, 3), (c.RestartCount, c.State.ExitCode));
    }

    [Fact]
    public async Task Always_restarts_after_a_clean_exit_but_not_after_docker_stop()
    {
        var id = await CreateAsync(hc: new HostConfig { NetworkMode = "none", RestartPolicy = new RestartPolicy("always", 0) });
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        _f.Runtime.Process(id).ExitWith(0);
        await Eventually(() => Svc.Queries.Get(id).State.Restarting, "restarting");
        await Eventually(() => { _f.Time.Advance(TimeSpan.FromMilliseconds(100)); return Svc.Queries.Get(id).State.IsActive; }, "running again");
        Assert.Equal(1, Svc.Queries.Get(id).RestartCount);
        await Svc.Lifecycle.StopAsync(id, 1, null, CancellationToken.None);
        _f.Time.Advance(TimeSpan.FromMinutes(2));
        await Task.Delay(50);
        Assert.Equal(("exited", 1), (Svc.Queries.Get(id).State.Status, Svc.Queries.Get(id).RestartCount));
    }

    [Fact]
    public async Task Auto_remove_removes_the_container_after_it_exits()
    {
        var id = await CreateAsync(hc: new HostConfig { NetworkMode = "none", AutoRemove = true });
        var removed = Svc.Lifecycle.WaitAsync(id, WaitCondition.Removed, CancellationToken.None);
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        _f.Runtime.Process(id).ExitWith(137);
        Assert.Equal(137, (await removed.WaitAsync(TimeSpan.FromSeconds(5))).StatusCode);
        Assert.Null(Svc.Queries.Snapshot.Find(id));
        await Eventually(() => !Directory.Exists(Path.Combine(_f.Options.ContainersRoot, id)), "container directory removed");
        Assert.Contains("destroy", Events(id).Select(e => e.Action));
    }

    [Fact]
    public async Task An_auto_remove_container_is_not_recorded_stopped_and_a_daemon_gone_before_its_removal_removes_it_at_start()
    {
        var id = await CreateAsync(hc: new HostConfig { NetworkMode = "none", AutoRemove = true });
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        _f.Runtime.Process(id).Write(OutputStream.Stdout, "hi\n");

        // A reader of its log holds the removal back (it waits for attached streams to drain).
        var reader = Svc.Streams.ReadLogsAsync(id, new LogReadOptions { Stdout = true, Stderr = true }, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync());
        _f.Runtime.Process(id).ExitWith(0);
        await Eventually(() => Svc.Queries.Get(id).State.Status == "exited", "exited");

        // The stopped state is not written (the removal that follows deletes the record): the
        // record on disk still says running...
        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_f.Options.ContainersRoot, id, "config.v2.json")))!;
        Assert.True(record["State"]!["Running"]!.GetValue<bool>());

        // ...and a daemon that stops before the removal ran removes the container at its next start.
        var svc = await _f.RestartDaemonAsync();
        Assert.Null(svc.Queries.Snapshot.Find(id));
        await Eventually(() => !Directory.Exists(Path.Combine(_f.Options.ContainersRoot, id)), "container directory removed");
        await reader.DisposeAsync();
    }

    [Fact]
    public async Task Remove_answers_before_the_clean_up_and_the_name_is_free_at_once()
    {
        var id = await CreateAsync("reused");
        var dir = Path.Combine(_f.Options.ContainersRoot, id);
        var release = new TaskCompletionSource();
        _f.Runtime.DeleteGate = release.Task;

        // The runtime's clean-up is stuck, yet rm returns and the container is gone.
        await Svc.Lifecycle.RemoveAsync("reused", false, false, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(Svc.Queries.Snapshot.Find(id));
        Assert.True(Directory.Exists(dir));
        Assert.Equal("destroy", Events(id).Last().Action);

        var again = await CreateAsync("reused");
        Assert.NotEqual(id, again);
        Assert.Equal(again, Svc.Queries.Get("reused").Id);

        release.SetResult();
        await Eventually(() => !Directory.Exists(dir), "the removed container's directory deleted");
        await Eventually(() => _f.Runtime.Deleted.Contains(id), "the removed container's runtime state deleted");
        Assert.True(Directory.Exists(Path.Combine(_f.Options.ContainersRoot, again)));
        Assert.NotNull(_f.Images.GetRootfs(again));
    }

    [Fact]
    public async Task A_removal_cut_short_by_a_crash_is_finished_at_the_next_start()
    {
        var id = await CreateAsync("gone");
        var keep = await CreateAsync("kept");
        var dir = Path.Combine(_f.Options.ContainersRoot, id);
        _f.Runtime.DeleteGate = new TaskCompletionSource().Task;
        await Svc.Lifecycle.RemoveAsync("gone", false, false, CancellationToken.None);
        Assert.True(Directory.Exists(dir));
        Assert.NotNull(_f.Images.GetRootfs(id));

        // The daemon dies before the clean-up ran: the directory has no record any more.
        _f.Runtime.DeleteGate = null;
        var svc = await _f.RestartDaemonAsync();
        Assert.False(Directory.Exists(dir));
        Assert.Null(_f.Images.GetRootfs(id));
        Assert.Contains(id, _f.Runtime.Deleted);
        Assert.Null(svc.Queries.Snapshot.Find(id));
        Assert.Equal(keep, svc.Queries.Get("kept").Id);
        Assert.NotNull(_f.Images.GetRootfs(keep));
    }

    [Fact]
    public async Task A_failed_start_records_dockers_exit_code_and_error()
    {
        var id = await CreateAsync(cmd: ["nosuch"]);
        _f.Runtime.StartError = "exec: \"nosuch\": executable file not found in $PATH";
        var e = await Assert.ThrowsAsync<BerthException>(() => Svc.Lifecycle.StartAsync(id, CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        var c = Svc.Queries.Get(id);
        Assert.Equal(("created", 127), (c.State.Status, c.State.ExitCode));
        Assert.Contains("executable file not found", c.State.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_refuses_a_running_container_unless_forced()
    {
        var id = await CreateAsync("busy");
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        var e = await Assert.ThrowsAsync<BerthException>(() => Svc.Lifecycle.RemoveAsync("busy", false, false, CancellationToken.None));
        Assert.Equal((ErrorKind.Conflict, "cannot remove container \"/busy\": container is running: stop the container before removing or force remove"), (e.Kind, e.Message));
        await Svc.Lifecycle.RemoveAsync("busy", true, false, CancellationToken.None);
        Assert.Null(Svc.Queries.Snapshot.Find(id));
        await Eventually(() => !_f.Runtime.HasProcess(id), "runtime state deleted");
        Assert.Equal(["create", "start", "kill", "die", "destroy"], Events(id).Select(ev => ev.Action));
    }

    [Fact]
    public async Task Rename_moves_the_name()
    {
        var id = await CreateAsync("old");
        await CreateAsync("taken");
        await Assert.ThrowsAsync<BerthException>(() => Svc.Lifecycle.RenameAsync("old", "taken", CancellationToken.None));
        await Svc.Lifecycle.RenameAsync("old", "new", CancellationToken.None);
        Assert.Equal(id, Svc.Queries.Get("new").Id);
        Assert.Null(Svc.Queries.Snapshot.Find("old"));
        Assert.Equal("/old", Events(id).Single(e => e.Action == "rename").Attributes["oldName"]);
        await CreateAsync("old");
    }

    [Fact]
    public async Task Pause_and_unpause()
    {
        var id = await CreateAsync();
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        await Svc.Lifecycle.PauseAsync(id, CancellationToken.None);
        Assert.Equal("paused", Svc.Queries.Get(id).State.Status);
        var exec = Assert.Throws<BerthException>(() => Svc.Exec.CreateExec(id, new ExecCreateRequest { Cmd = ["true"] }));
        Assert.Equal($"Container {id} is paused, unpause the container before exec", exec.Message);
        await Svc.Lifecycle.UnpauseAsync(id, CancellationToken.None);
        Assert.Equal("running", Svc.Queries.Get(id).State.Status);
        Assert.Equal($"Container {id} is not paused", (await Assert.ThrowsAsync<BerthException>(() => Svc.Lifecycle.UnpauseAsync(id, CancellationToken.None))).Message);
    }

    [Fact]
    public async Task Oom_kills_are_reported()
    {
        var id = await CreateAsync();
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        _f.Runtime.Process(id).ExitWith(137, oom: true);
        await Eventually(() => Svc.Queries.Get(id).State.Status == "exited", "exit");
        Assert.True(Svc.Queries.Get(id).State.OomKilled);
        Assert.Equal(["oom", "die"], Events(id).Select(e => e.Action).Where(a => a is "oom" or "die"));
    }

    [Fact]
    public async Task Healthchecks_turn_healthy_then_unhealthy_after_the_retries()
    {
        var health = new Berth.Core.Model.HealthConfig { Test = ["CMD-SHELL", "test -f /tmp/ok"], Interval = 1_000_000_000, Retries = 2 };
        var id = await CreateAsync(config: new ContainerConfig { Healthcheck = health });
        var code = 0;
        _f.Runtime.ExecExitCode = _ => code;
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        Assert.Equal("starting", Svc.Queries.Get(id).State.Health!.Status);
        await Eventually(() => { _f.Time.Advance(TimeSpan.FromSeconds(1)); return Svc.Queries.Get(id).State.Health!.Status == "healthy"; }, "healthy");
        Assert.Equal(["/bin/sh", "-c", "test -f /tmp/ok"], _f.Runtime.Execs.First().Args);
        code = 1;
        await Eventually(() => { _f.Time.Advance(TimeSpan.FromSeconds(1)); return Svc.Queries.Get(id).State.Health!.Status == "unhealthy"; }, "unhealthy");
        var h = Svc.Queries.Get(id).State.Health!;
        Assert.True(h.FailingStreak >= 2);
        Assert.Contains(h.Log, l => l.ExitCode == 0);
        Assert.Contains(h.Log, l => l.ExitCode == 1);
        Assert.Contains(Events(id), e => e.Action == "health_status: healthy");
        Assert.Contains(Events(id), e => e.Action == "health_status: unhealthy");
    }

    [Fact]
    public async Task Exec_runs_attached_and_records_the_exit_code()
    {
        var id = await CreateAsync();
        var stopped = Assert.Throws<BerthException>(() => Svc.Exec.CreateExec(id, new ExecCreateRequest { Cmd = ["true"] }));
        Assert.Equal((ErrorKind.Conflict, $"container {id} is not running"), (stopped.Kind, stopped.Message));
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        _f.Runtime.ExecExitCode = l => l.Args[0] == "false" ? 5 : 0;
        var exec = Svc.Exec.CreateExec(id, new ExecCreateRequest { Cmd = ["false", "x"], AttachStdout = true, Env = ["X=1"], WorkingDir = "/tmp" });
        var output = new StringBuilder();
        await Svc.Exec.StartExecAsync(exec.Id, false, null, null, (s, d, _) => { output.Append(Encoding.UTF8.GetString(d.Span)); return ValueTask.CompletedTask; }, CancellationToken.None);
        Assert.Equal((5, false), (exec.ExitCode, exec.Running));
        Assert.Equal("false x\n", output.ToString());
        var launch = _f.Runtime.Execs.Single();
        Assert.Equal("/tmp", launch.Cwd);
        Assert.Contains("X=1", launch.Env);
        Assert.Contains($"HOSTNAME={id[..12]}", launch.Env);

        var missing = Svc.Exec.CreateExec(id, new ExecCreateRequest { Cmd = ["nosuch"], AttachStdout = true });
        await Svc.Exec.StartExecAsync(missing.Id, false, null, null, (_, _, _) => ValueTask.CompletedTask, CancellationToken.None);
        Assert.Equal(126, missing.ExitCode);
        Assert.Equal($"exec command {exec.Id} has already run", (await Assert.ThrowsAsync<BerthException>(() => Svc.Exec.StartExecAsync(exec.Id, false, null, null, null, CancellationToken.None))).Message);
    }

    [Fact]
    public async Task Ended_execs_are_dropped_after_two_collection_rounds_as_dockerd_does()
    {
        var id = await CreateAsync();
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        var ended = Svc.Exec.CreateExec(id, new ExecCreateRequest { Cmd = ["true"] });
        await Svc.Exec.StartExecAsync(ended.Id, false, null, null, (_, _, _) => ValueTask.CompletedTask, CancellationToken.None);
        var waiting = Svc.Exec.CreateExec(id, new ExecCreateRequest { Cmd = ["true"] });
        Assert.Equal(0, ended.ExitCode);

        // First round: marked (inspect shows CanRemove), still there.
        _f.Time.Advance(TimeSpan.FromMinutes(5));
        await Eventually(() => ended.CanRemove, "the first round to mark the ended exec");
        Assert.Same(ended, Svc.Exec.GetExec(ended.Id));
        Assert.False(waiting.CanRemove);

        // Second round: gone; the one never started stays with its container.
        _f.Time.Advance(TimeSpan.FromMinutes(5));
        await Eventually(() => Svc.ExecInstanceCount == 1, "the second round to drop the ended exec");
        Assert.Equal($"No such exec instance: {ended.Id}", Assert.Throws<BerthException>(() => Svc.Exec.GetExec(ended.Id)).Message);
        Assert.Same(waiting, Svc.Exec.GetExec(waiting.Id));
    }

    [Fact]
    public async Task Attach_before_start_gets_the_output_from_the_first_byte()
    {
        var id = await CreateAsync(cmd: ["echo", "hi"]);
        _f.Runtime.StartOutput = "hi\n";
        var plan = Svc.Streams.PrepareAttach(id, new AttachRequest { Stream = true, Stdout = true, Stderr = true });
        var output = new StringBuilder();
        var attach = Svc.Streams.RunAttachAsync(plan, null, (_, d, _) => { lock (output) { output.Append(Encoding.UTF8.GetString(d.Span)); } return ValueTask.CompletedTask; }, CancellationToken.None);
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        _f.Runtime.Process(id).ExitWith(0);
        await attach.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("hi\n", output.ToString());
    }

    [Fact]
    public async Task Attached_stdin_reaches_the_process_and_eof_closes_it_for_stdin_once()
    {
        var id = await CreateAsync(cmd: ["cat"], config: new ContainerConfig { OpenStdin = true, StdinOnce = true, AttachStdin = true });
        var plan = Svc.Streams.PrepareAttach(id, new AttachRequest { Stream = true, Stdin = true, Stdout = true });
        var attach = Svc.Streams.RunAttachAsync(plan, new MemoryStream("piped-input\n"u8.ToArray()), (_, _, _) => ValueTask.CompletedTask, CancellationToken.None);
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        var p = _f.Runtime.Process(id);
        await Eventually(() => p.StdinClosed, "stdin closed");
        Assert.Equal("piped-input\n", p.Stdin.ToString());
        p.ExitWith(0);
        await attach.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Update_changes_limits_of_a_running_container()
    {
        var id = await CreateAsync();
        await Svc.Lifecycle.StartAsync(id, CancellationToken.None);
        await Svc.Lifecycle.UpdateAsync(id, new ContainerUpdate { Memory = 32 << 20, RestartPolicy = new RestartPolicy("always", 0) }, CancellationToken.None);
        var c = Svc.Queries.Get(id);
        Assert.Equal((32L << 20, 64L << 20, "always"), (c.HostConfig.Resources.Memory, c.HostConfig.Resources.MemorySwap, c.HostConfig.RestartPolicy.Name));
        Assert.Equal(32L << 20, _f.Runtime.Updates.Single().Memory);
    }

    [Fact]
    public async Task Prune_removes_stopped_containers_matching_the_labels()
    {
        var keep = await CreateAsync(config: new ContainerConfig { Labels = new Dictionary<string, string> { ["run"] = "1" } });
        var gone = await CreateAsync(config: new ContainerConfig { Labels = new Dictionary<string, string> { ["run"] = "1" } });
        var other = await CreateAsync();
        await Svc.Lifecycle.StartAsync(keep, CancellationToken.None);
        var r = await Svc.Lifecycle.PruneAsync(Berth.Core.Filters.FilterSet.Parse("{\"label\":[\"run=1\"]}"), CancellationToken.None);
        Assert.Equal([gone], r.ContainersDeleted);
        Assert.NotNull(Svc.Queries.Snapshot.Find(keep));
        Assert.NotNull(Svc.Queries.Snapshot.Find(other));
    }

    [Fact]
    public async Task Live_restore_reattaches_to_survivors_and_marks_the_others_exited()
    {
        var alive = await CreateAsync("alive");
        var dead = await CreateAsync("dead");
        var always = await CreateAsync("always", hc: new HostConfig { NetworkMode = "none", RestartPolicy = new RestartPolicy("always", 0) });
        await Svc.Lifecycle.StartAsync(alive, CancellationToken.None);
        await Svc.Lifecycle.StartAsync(dead, CancellationToken.None);
        var pid = Svc.Queries.Get(alive).State.Pid;

        // A half-created container: a directory without a record.
        var orphan = Path.Combine(_f.Options.ContainersRoot, new string('f', 64));
        Directory.CreateDirectory(orphan);

        _f.Runtime.Survivor(alive, pid);
        var svc = await _f.RestartDaemonAsync();
        Assert.Equal(("running", pid), (svc.Queries.Get(alive).State.Status, svc.Queries.Get(alive).State.Pid));
        Assert.Equal(("exited", 255), (svc.Queries.Get(dead).State.Status, svc.Queries.Get(dead).State.ExitCode));
        Assert.False(Directory.Exists(orphan));
        await Eventually(() => svc.Queries.Get(always).State.IsActive, "always container started with the daemon");

        _f.Runtime.Process(alive).ExitWith(9);
        await Eventually(() => svc.Queries.Get(alive).State.Status == "exited", "exit seen after restore");
        Assert.Equal(9, svc.Queries.Get(alive).State.ExitCode);
    }
}
