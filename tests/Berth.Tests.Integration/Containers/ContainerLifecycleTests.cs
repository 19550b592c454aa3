using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

/// <summary>Container life cycle through the real docker CLI against berthd with runc.</summary>
public sealed class ContainerLifecycleTests(ContainersDaemon fixture) : IClassFixture<ContainersDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private static string Name(string what) => $"{what}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{_d.Log}");
        return r.Out;
    }

    private async Task<string> Inspect(string name, string format) => await OkAsync("inspect", "-f", format, name);

    private static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = Until.HangGuardSeconds)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"timed out waiting for {what}");
    }

    [Fact]
    public async Task Run_prints_the_output_returns_the_exit_code_and_rm_removes_it()
    {
        var name = Name("run");
        var r = await _d.DockerAsync("run", "--rm", "--name", name, "busybox", "sh", "-c", "echo hello; echo oops >&2; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("hello", r.Out);
        Assert.Contains("oops", r.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await _d.DockerAsync("inspect", name)).ExitCode);
        Assert.Equal(127, (await _d.DockerAsync("run", "--rm", "busybox", "nosuchcommand")).ExitCode);
    }

    [Fact]
    public async Task Run_passes_stdin_env_and_hostname()
    {
        var r = await _d.DockerWithInputAsync("piped-input\n", "run", "-i", "--rm", "busybox", "cat");
        Assert.Equal("piped-input", r.Out);
        Assert.Equal("hello web", await OkAsync("run", "--rm", "-e", "G=hello", "--hostname", "web", "busybox", "sh", "-c", "echo $G $(hostname)"));
    }

    [Fact]
    public async Task Create_start_attach_and_logs_accumulate_across_runs()
    {
        var name = Name("created");
        Assert.Matches("^[0-9a-f]{64}$", await OkAsync("create", "--name", name, "busybox", "echo", "created-output"));
        Assert.Equal("created", await Inspect(name, "{{.State.Status}}"));
        Assert.Equal("Created", await OkAsync("ps", "-a", "--filter", $"name={name}", "--format", "{{.Status}}"));
        Assert.Equal("created-output", await OkAsync("start", "-a", name));
        Assert.Equal("exited 0", await Inspect(name, "{{.State.Status}} {{.State.ExitCode}}"));
        await OkAsync("start", "-a", name);
        Assert.Equal("created-output\ncreated-output", await OkAsync("logs", name));
        Assert.Equal("created-output", await OkAsync("logs", "--tail", "1", name));
        Assert.Matches(@"^Exited \(0\) ", await OkAsync("ps", "-a", "--filter", $"name={name}", "--format", "{{.Status}}"));
    }

    [Fact]
    public async Task Detached_containers_show_in_ps_and_inspect_with_dockers_shape()
    {
        var name = Name("bg");
        var id = await OkAsync("run", "-d", "--name", name, "-e", "FOO=bar", "--label", "tier=web", "--restart", "on-failure:3", "-m", "64m", "busybox", "sleep", "600");
        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.Contains(id[..12], await OkAsync("ps", "-q"));
        Assert.Matches("^Up ", await OkAsync("ps", "--filter", $"name={name}", "--format", "{{.Status}}"));
        Assert.Equal(
            "running true on-failure:3 web 67108864 134217728",
            await Inspect(name, "{{.State.Status}} {{.State.Running}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.Config.Labels.tier}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}"));
        Assert.Equal("[FOO=bar PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin]", await Inspect(name, "{{.Config.Env}}"));
        Assert.Equal("null [\"sleep\",\"600\"]", await Inspect(name, "{{json .Config.Entrypoint}} {{json .Config.Cmd}}"));
        Assert.Equal(await OkAsync("image", "inspect", "-f", "{{.Id}}", "busybox"), await Inspect(name, "{{.Image}}"));
        Assert.Equal(id[..12], await OkAsync("exec", name, "hostname"));
        var pid = int.Parse(await Inspect(name, "{{.State.Pid}}"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("sleep 600 ", File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '));
        await OkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task Stop_escalates_to_sigkill_and_a_trapping_process_exits_cleanly()
    {
        var stubborn = Name("stop");
        await OkAsync("run", "-d", "--name", stubborn, "busybox", "sleep", "600");
        await OkAsync("stop", "-t", "1", stubborn);
        Assert.Equal("137", await Inspect(stubborn, "{{.State.ExitCode}}"));

        // sleep as pid 1 ignores TERM: the grace period ran out and SIGKILL ended it, in
        // dockerd's order (how long that took is StopTimingTests' business, a benchmark).
        var until = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var events = await OkAsync("events", "--since", "0", "--until", until, "--filter", $"container={stubborn}", "--format", "{{.Action}}:{{index .Actor.Attributes \"signal\"}}{{index .Actor.Attributes \"exitCode\"}}");
        Assert.Equal(["create:", "start:", "kill:15", "kill:9", "die:137", "stop:"], events.Split('\n'));

        var graceful = Name("trap");
        await OkAsync("run", "-d", "--name", graceful, "busybox", "sh", "-c", "trap 'exit 0' TERM; echo trapped; while :; do sleep 0.2; done");
        await Eventually(async () => (await _d.DockerAsync("logs", graceful)).Out.Trim() == "trapped", "the TERM trap to be set", Until.HangGuardSeconds);
        await OkAsync("stop", graceful);
        Assert.Equal("0", await Inspect(graceful, "{{.State.ExitCode}}"));

        var killed = Name("kill");
        await OkAsync("run", "-d", "--name", killed, "busybox", "sleep", "600");
        await OkAsync("kill", killed);
        Assert.Equal("exited 137", await Inspect(killed, "{{.State.Status}} {{.State.ExitCode}}"));
        var again = await _d.DockerAsync("kill", killed);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("is not running", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_runs_beside_the_main_process()
    {
        var name = Name("exec");
        await OkAsync("run", "-d", "--name", name, "busybox", "sleep", "600");
        Assert.Matches(@"(?m)^\s+1 .*sleep 600", await OkAsync("exec", name, "ps"));
        Assert.Equal("from-exec /tmp 65534", await OkAsync("exec", "-e", "X=from-exec", "-w", "/tmp", "-u", "nobody", name, "sh", "-c", "echo $X $(pwd) $(id -u)"));
        Assert.Equal("exec-stdin", (await _d.DockerWithInputAsync("exec-stdin\n", "exec", "-i", name, "sh", "-c", "cat > /tmp/in; cat /tmp/in")).Out);
        Assert.Equal(5, (await _d.DockerAsync("exec", name, "sh", "-c", "exit 5")).ExitCode);
        Assert.Equal(126, (await _d.DockerAsync("exec", name, "nosuchcommand")).ExitCode);
        await OkAsync("stop", "-t", "0", name);
        Assert.NotEqual(0, (await _d.DockerAsync("exec", name, "true")).ExitCode);
    }

    [Fact]
    public async Task Restart_rename_pause_wait_and_remove()
    {
        var name = Name("life");
        await OkAsync("run", "-d", "--name", name, "busybox", "sleep", "600");
        var started = await Inspect(name, "{{.State.StartedAt}}");
        await OkAsync("restart", "-t", "1", name);
        Assert.NotEqual(started, await Inspect(name, "{{.State.StartedAt}}"));
        Assert.Equal("running", await Inspect(name, "{{.State.Status}}"));

        var renamed = Name("renamed");
        await OkAsync("rename", name, renamed);
        Assert.NotEqual(0, (await _d.DockerAsync("inspect", name)).ExitCode);

        await OkAsync("pause", renamed);
        Assert.Equal("paused", await Inspect(renamed, "{{.State.Status}}"));
        Assert.Contains("(Paused)", await OkAsync("ps", "--filter", $"name={renamed}", "--format", "{{.Status}}"), StringComparison.Ordinal);
        Assert.NotEqual(0, (await _d.DockerAsync("exec", renamed, "true")).ExitCode);
        await OkAsync("unpause", renamed);
        await OkAsync("exec", renamed, "true");

        var rm = await _d.DockerAsync("rm", renamed);
        Assert.NotEqual(0, rm.ExitCode);
        Assert.Contains($"cannot remove container \"/{renamed}\": container is running: stop the container before removing or force remove", rm.Stderr, StringComparison.Ordinal);
        await OkAsync("rm", "-f", renamed);

        var waiter = Name("wait");
        await OkAsync("run", "-d", "--name", waiter, "busybox", "sh", "-c", "sleep 1; exit 7");
        Assert.Equal("7", await OkAsync("wait", waiter));
    }

    [Fact]
    public async Task Rm_frees_the_name_at_once_and_cleans_up_the_rest_behind()
    {
        var name = Name("reuse");
        var first = (await OkAsync("run", "-d", "--name", name, "busybox", "sh", "-c", "echo one; sleep 600")).Trim();
        Assert.Equal("one", (await OkAsync("logs", name)).Trim());
        await OkAsync("rm", "-f", name);

        // The same name works straight away, and the new container is a fresh one.
        var second = (await OkAsync("run", "-d", "--name", name, "busybox", "sh", "-c", "echo two; sleep 600")).Trim();
        Assert.NotEqual(first, second);
        await Eventually(async () => (await _d.DockerAsync("logs", name)).Out.Trim() == "two", "the new container's log");
        Assert.DoesNotContain(first, await OkAsync("ps", "-a", "--no-trunc", "--format", "{{.ID}}"), StringComparison.Ordinal);

        // The first one's rootfs mount, runtime state, writable layer and directory go away on their own.
        await Eventually(
            () => Task.FromResult(!File.ReadAllText("/proc/self/mountinfo").Contains(first, StringComparison.Ordinal)
                && !Directory.Exists(Path.Combine(_d.DataRoot, "containers", first))
                && !Directory.Exists(Path.Combine(_d.ExecRoot, "containers", first))),
            "the removed container's mount and directories to go");
        Assert.True(Directory.Exists(Path.Combine(_d.DataRoot, "containers", second)));
        await OkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task Containers_snapshots_and_volumes_are_top_directories_for_ext4s_allocator()
    {
        // Marked when the daemon starts, so each container's files land in a block group of their
        // own, where the inodes of removed containers do not pile up (PosixFiles.TryMarkTopDirectory).
        foreach (var dir in new[] { "containers", "snapshots", "volumes" })
        {
            using var lsattr = Process.Start(new ProcessStartInfo("lsattr", ["-d", Path.Combine(_d.DataRoot, dir)]) { RedirectStandardOutput = true })!;
            var flags = (await lsattr.StandardOutput.ReadToEndAsync()).Split(' ')[0];
            await lsattr.WaitForExitAsync();
            Assert.Contains('T', flags);
        }
    }

    [Fact]
    public async Task Restart_policies_restart_with_back_off_and_stop_is_final()
    {
        var onFailure = Name("onfail");
        await OkAsync("run", "-d", "--name", onFailure, "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 3");
        await Eventually(async () => await Inspect(onFailure, "{{.State.Status}} {{.RestartCount}}") == "exited 2", "on-failure to give up after 2 restarts");
        Assert.Equal("3", await Inspect(onFailure, "{{.State.ExitCode}}"));

        var always = Name("always");
        await OkAsync("run", "-d", "--name", always, "--restart", "always", "busybox", "sh", "-c", "sleep 1; exit 0");
        await Eventually(async () => int.Parse(await Inspect(always, "{{.RestartCount}}"), System.Globalization.CultureInfo.InvariantCulture) >= 1, "always to restart");
        await OkAsync("stop", "-t", "1", always);
        var count = await Inspect(always, "{{.RestartCount}}");
        await Task.Delay(2500);
        Assert.Equal($"exited {count}", await Inspect(always, "{{.State.Status}} {{.RestartCount}}"));
    }

    [Fact]
    public async Task Healthchecks_report_healthy_then_unhealthy()
    {
        var name = Name("health");
        await OkAsync("run", "-d", "--name", name, "--health-cmd", "test -f /tmp/ok", "--health-interval", "1s", "--health-retries", "2", "busybox", "sh", "-c", "touch /tmp/ok; sleep 600");
        Assert.Equal("starting", await Inspect(name, "{{.State.Health.Status}}"));
        await Eventually(async () => await Inspect(name, "{{.State.Health.Status}}") == "healthy", "healthy");
        Assert.Contains("(healthy)", await OkAsync("ps", "--filter", $"name={name}", "--format", "{{.Status}}"), StringComparison.Ordinal);
        await OkAsync("exec", name, "rm", "/tmp/ok");
        await Eventually(async () => await Inspect(name, "{{.State.Health.Status}}") == "unhealthy", "unhealthy");
        Assert.Contains(name, await OkAsync("ps", "--filter", "health=unhealthy", "--format", "{{.Names}}"), StringComparison.Ordinal);
        Assert.Matches("0 .*1 ", await Inspect(name, "{{range .State.Health.Log}}{{.ExitCode}} {{end}}"));
    }

    [Fact]
    public async Task Logs_support_tail_timestamps_and_follow()
    {
        var name = Name("logs");
        await OkAsync("run", "--name", name, "busybox", "sh", "-c", "echo out1; echo out2; echo err >&2; echo out3");
        var r = await _d.DockerAsync("logs", name);
        Assert.Equal("out1\nout2\nout3", r.Out);
        Assert.Equal("err", r.Stderr.Trim());
        // Docker tails the combined log, then splits it by stream; stdout and stderr come through
        // separate pipes, so whether "err" is among the last two entries depends on read order.
        var tail = await _d.DockerAsync("logs", "-n", "2", name);
        Assert.Equal(2, (tail.Stdout + tail.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.EndsWith("out3", tail.Out, StringComparison.Ordinal);
        Assert.Matches(@"^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z out1$", (await OkAsync("logs", "-t", name)).Split('\n')[0]);

        var follow = Name("follow");
        await OkAsync("run", "-d", "--name", follow, "busybox", "sh", "-c", "for i in 1 2 3; do echo line$i; sleep 1; done");
        Assert.Equal("line1\nline2\nline3", await OkAsync("logs", "-f", follow));

        var none = Name("nolog");
        await OkAsync("run", "--name", none, "--log-driver", "none", "busybox", "echo", "invisible");
        Assert.DoesNotContain("invisible", (await _d.DockerAsync("logs", none)).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_stats_diff_and_resource_limits()
    {
        var name = Name("limits");
        await OkAsync("run", "-d", "--name", name, "-m", "64m", "--cpuset-cpus", "0", "busybox", "sh", "-c", "touch /newfile; rm /etc/group; echo x >> /etc/passwd; echo changed; exec sleep 600");
        await Eventually(async () => (await _d.DockerAsync("logs", name)).Out.Trim() == "changed", "the container's changes", Until.HangGuardSeconds);
        var top = await OkAsync("top", name);
        Assert.Matches("^UID +PID +PPID +C +STIME +TTY +TIME +CMD", top.Split('\n')[0]);
        Assert.Contains("sleep 600", top, StringComparison.Ordinal);
        Assert.Equal(await Inspect(name, "{{.State.Pid}}"), (await OkAsync("top", name, "-o", "pid")).Split('\n')[^1].Trim());
        Assert.Equal("67108864", await OkAsync("exec", name, "sh", "-c", "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes"));
        Assert.Equal("1", await OkAsync("exec", name, "nproc"));
        Assert.Matches($@"^{name}\|.* / 64MiB\|\d+$", await OkAsync("stats", "--no-stream", "--format", "{{.Name}}|{{.MemUsage}}|{{.PIDs}}", name));
        var diff = await OkAsync("diff", name);
        Assert.Contains("A /newfile", diff, StringComparison.Ordinal);
        Assert.Contains("D /etc/group", diff, StringComparison.Ordinal);
        Assert.Contains("C /etc/passwd", diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capabilities_follow_dockers_defaults()
    {
        Assert.Equal(1, (await _d.DockerAsync("run", "--rm", "busybox", "hostname", "changed")).ExitCode);
        Assert.Equal("changed", await OkAsync("run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "sh", "-c", "hostname changed && hostname"));
    }

    [Fact]
    public async Task Api_errors_use_dockers_status_codes_and_messages()
    {
        using var bad = await _d.Http.PostAsync("/v1.50/containers/create?name=x", new StringContent("{\"Image\":\"busybox\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("Invalid container name (x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var noImage = await _d.Http.PostAsync("/v1.50/containers/create", new StringContent("{\"Image\":\"nosuchimage\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, noImage.StatusCode);
        Assert.Contains("No such image: nosuchimage", await noImage.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var name = Name("api");
        await OkAsync("create", "--name", name, "busybox", "true");
        using var conflict = await _d.Http.PostAsync($"/v1.50/containers/create?name={name}", new StringContent("{\"Image\":\"busybox\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains($"Conflict. The container name \\\"/{name}\\\" is already in use by container", await conflict.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var stopStopped = await _d.Http.PostAsync($"/v1.50/containers/{name}/stop", null);
        Assert.Equal(HttpStatusCode.NotModified, stopStopped.StatusCode);
        using var cp = await _d.Http.GetAsync($"/v1.50/containers/{name}/archive?path=/nonexistent");
        Assert.Equal(HttpStatusCode.NotFound, cp.StatusCode);
        Assert.Contains("Could not find the file /nonexistent in container", await cp.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var missing = await _d.Http.GetAsync("/v1.50/containers/nosuch/json");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var doc = JsonDocument.Parse(await missing.Content.ReadAsStringAsync());
        Assert.Equal("No such container: nosuch", doc.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Docker_info_renders_container_counts()
    {
        var info = await OkAsync("info");
        Assert.Matches(@"Containers: \d+", info);
        Assert.Contains("Logging Driver: json-file", info, StringComparison.Ordinal);
        Assert.Equal("inactive", await OkAsync("info", "-f", "{{.Swarm.LocalNodeState}}"));
    }
}
