using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.SystemApi;

public sealed class StateModesDaemon() : DaemonFixture("modes");

/// <summary>
/// The modes of the daemon's state (the class of CVE-2021-41091: a host user reaching into a
/// container's root filesystem through the data root, running its setuid binaries or reading
/// its records). Data root 0710 like dockerd; the daemon's subdirectories 0700; records and
/// bundles 0600; json-file logs 0640 as dockerd makes them.
/// </summary>
public sealed class StateModesTests(StateModesDaemon fixture) : IClassFixture<StateModesDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{_d.Log}");
        return r.Out;
    }

    private static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);

    /// <summary>
    /// Runs a command line as the host's "nobody" (no groups): what any local user could do. Through
    /// a shell, whose own execve runs as nobody (setpriv's final execve does not show the denial).
    /// </summary>
    private static Task<CommandResult> AsNobodyAsync(params string[] command) =>
        Shell.RunAsync("setpriv", ["--reuid", "65534", "--regid", "65534", "--clear-groups", "--", "sh", "-c", "exec \"$@\"", "sh", .. command]);

    [Fact]
    public async Task State_is_private_and_a_host_user_cannot_reach_into_a_container()
    {
        await OkAsync("volume", "create", "secretvol");
        var id = await OkAsync("run", "-d", "--name", "moded", "-e", "SECRET=hunter2", "-v", "secretvol:/data", "busybox", "sh", "-c", "echo logged; sleep 600");
        var bundle = Path.Combine(_d.ExecRoot, "containers", id);

        Assert.Equal("710", Mode(_d.DataRoot));
        foreach (var dir in new[] { "containers", "snapshots", "volumes", "content", "network" })
        {
            Assert.True(Mode(Path.Combine(_d.DataRoot, dir)) == "700", $"{dir}: {Mode(Path.Combine(_d.DataRoot, dir))}");
        }

        Assert.Equal("711", Mode(_d.ExecRoot)); // holds the default API socket
        Assert.Equal("700", Mode(Path.Combine(_d.ExecRoot, "containers")));
        Assert.Equal("700", Mode(Path.Combine(_d.ExecRoot, "m")));
        Assert.Equal("600", Mode(Path.Combine(_d.DataRoot, "containers", id, "config.v2.json")));
        Assert.Equal("600", Mode(Path.Combine(bundle, "config.json")));
        Assert.Equal("600", Mode(Path.Combine(bundle, "monitor.conf")));
        Assert.Equal("600", Mode(Path.Combine(_d.DataRoot, "volumes", "secretvol", "volume.json")));
        var log = (await OkAsync("inspect", "-f", "{{.LogPath}}", "moded")).Trim();
        Assert.Equal("640", Mode(log));

        // The attack: a host user reads the container's environment, or runs what is inside its rootfs.
        Assert.NotEqual(0, (await AsNobodyAsync("cat", Path.Combine(_d.DataRoot, "containers", id, "config.v2.json"))).ExitCode);
        Assert.NotEqual(0, (await AsNobodyAsync("ls", Path.Combine(bundle, "rootfs", "bin"))).ExitCode);
        Assert.NotEqual(0, (await AsNobodyAsync(Path.Combine(bundle, "rootfs", "bin", "busybox"), "true")).ExitCode);
        Assert.NotEqual(0, (await AsNobodyAsync("ls", Path.Combine(_d.DataRoot, "snapshots"))).ExitCode);

        // Inside, the container's own non-root users still use their root filesystem as before.
        Assert.Equal("ok", await OkAsync("run", "--rm", "-u", "65534:65534", "busybox", "sh", "-c", "cat /etc/passwd >/dev/null && ls /bin/sh >/dev/null && touch /tmp/x && echo ok"));
        Assert.Equal("ok", await OkAsync("exec", "-u", "65534", "moded", "sh", "-c", "ls /data >/dev/null && cat /etc/group >/dev/null && echo ok"));
        await OkAsync("rm", "-f", "moded");
    }

    [Fact]
    public async Task Modes_of_existing_state_directories_are_corrected_at_start()
    {
        await OkAsync("create", "--name", "premoded", "busybox", "true");
        foreach (var dir in new[] { _d.DataRoot, Path.Combine(_d.DataRoot, "containers"), Path.Combine(_d.DataRoot, "snapshots"), Path.Combine(_d.ExecRoot, "containers") })
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0x1ED); // 0755, as an older version under umask 022 made them
        }

        await _d.RestartAsync();
        Assert.Equal("710", Mode(_d.DataRoot));
        Assert.Equal("700", Mode(Path.Combine(_d.DataRoot, "containers")));
        Assert.Equal("700", Mode(Path.Combine(_d.DataRoot, "snapshots")));
        Assert.Equal("700", Mode(Path.Combine(_d.ExecRoot, "containers")));
        await OkAsync("rm", "premoded");
    }
}
