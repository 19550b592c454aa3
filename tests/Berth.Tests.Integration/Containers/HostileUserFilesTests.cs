using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

public sealed class HostileUserFilesDaemon() : DaemonFixture("ctrusr");

/// <summary>
/// Images whose /etc/passwd or /etc/group is a FIFO, an endless device, a huge file or a symlink
/// to a host path: `run -u NAME` and `exec -u NAME` answer at once with a clear error (before the
/// bounded reads they hung forever on the FIFO and read /dev/zero without end).
/// The images are made the way an attacker would: a container changes the file, then is committed.
/// </summary>
public sealed class HostileUserFilesTests(HostileUserFilesDaemon fixture) : IClassFixture<HostileUserFilesDaemon>
{
    /// <summary>Only guards against a hang: every case here answers in well under a second.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    private readonly BerthDaemon _d = fixture.Daemon;

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{_d.Log}");
        return r.Out;
    }

    private Task<CommandResult> DockerGuardedAsync(params string[] args) =>
        Shell.RunAsync(RepoPaths.DockerCli, args, new Dictionary<string, string> { ["DOCKER_HOST"] = _d.DockerHost }, timeout: HangGuard);

    private async Task<string> ImageAsync(string name, string script)
    {
        await OkAsync("run", "--name", "mk-" + name, "busybox", "sh", "-c", script);
        await OkAsync("commit", "mk-" + name, name);
        await OkAsync("rm", "mk-" + name);
        return name;
    }

    private async Task AssertRefusedAsync(string expected, params string[] args)
    {
        var r = await DockerGuardedAsync(args);
        Assert.True(r.ExitCode != 0, $"docker {string.Join(' ', args)} succeeded: {r}");
        Assert.True((r.Stdout + r.Stderr).Contains(expected, StringComparison.Ordinal), $"docker {string.Join(' ', args)}: {r}\n{_d.Log}");
    }

    [Fact]
    public async Task Run_with_a_fifo_passwd_is_refused_without_hanging()
    {
        var image = await ImageAsync("fifo-passwd", "rm /etc/passwd && mkfifo /etc/passwd");
        await AssertRefusedAsync("the container's /etc/passwd is a FIFO, not a regular file", "run", "--rm", "-u", "nobody", image, "true");
    }

    [Fact]
    public async Task Run_with_an_endless_device_as_group_is_refused()
    {
        var image = await ImageAsync("zero-group", "rm /etc/group && mknod /etc/group c 1 5");
        await AssertRefusedAsync("the container's /etc/group is a character device, not a regular file", "run", "--rm", "-u", "nobody:nogroup", image, "true");
    }

    [Fact]
    public async Task Run_with_a_huge_passwd_is_refused()
    {
        var image = await ImageAsync("huge-passwd", "head -c 9437184 /dev/zero > /etc/passwd");
        await AssertRefusedAsync("the container's /etc/passwd is larger than 8388608 bytes", "run", "--rm", "-u", "nobody", image, "true");
    }

    [Fact]
    public async Task A_passwd_symlinked_to_a_host_path_never_reads_the_host_file()
    {
        var hostDir = Path.Combine(_d.Dir, "hostside");
        Directory.CreateDirectory(hostDir);
        await File.WriteAllTextAsync(Path.Combine(hostDir, "passwd"), "hostonly:x:4242:4242::/:/bin/sh\n");
        var image = await ImageAsync("link-passwd", $"ln -sf {hostDir}/passwd /etc/passwd");
        await AssertRefusedAsync("unable to find user hostonly: no matching entries in passwd file", "run", "--rm", "-u", "hostonly", image, "true");
    }

    [Fact]
    public async Task Exec_as_a_user_after_the_container_made_its_passwd_a_fifo_is_refused()
    {
        await OkAsync("run", "-d", "--name", "fifo-exec", "busybox", "sleep", "600");
        await OkAsync("exec", "fifo-exec", "sh", "-c", "rm /etc/passwd && mkfifo /etc/passwd");
        await AssertRefusedAsync("the container's /etc/passwd is a FIFO, not a regular file", "exec", "-u", "nobody", "fifo-exec", "true");
        Assert.Equal("still-here", await OkAsync("exec", "fifo-exec", "echo", "still-here")); // root needs no lookup
        await OkAsync("rm", "-f", "fifo-exec");
    }
}
