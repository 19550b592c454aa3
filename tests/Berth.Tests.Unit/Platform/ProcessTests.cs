using System.Text;
using Berth.Platform.Mounts;
using Berth.Platform.Native;
using Berth.Platform.Processes;

namespace Berth.Tests.Unit.Platform;

public sealed class ProcessTests
{
    [Fact]
    public async Task ProcessRunner_CapturesOutput_ExitCode_AndStdin()
    {
        var r = await ProcessRunner.RunAsync("/bin/sh", ["-c", "read x; echo out-$x; echo err >&2; exit 3"], stdin: "abc\n");
        Assert.Equal((3, "out-abc\n", "err\n"), (r.ExitCode, r.Stdout, r.Stderr));
        await Assert.ThrowsAsync<ProcessFailedException>(() => ProcessRunner.RunCheckedAsync("/bin/false", []));
        await Assert.ThrowsAsync<TimeoutException>(() => ProcessRunner.RunAsync("/bin/sleep", ["10"], timeout: TimeSpan.FromMilliseconds(100)));
        await Assert.ThrowsAsync<FileNotFoundException>(() => ProcessRunner.RunAsync("/nonexistent/tool", []));
    }

    [Fact]
    public async Task Spawn_MapsExtraDescriptors_AndReportsSignals()
    {
        var (read, write) = Fd.Pipe();
        var child = Spawn.Start(new SpawnOptions
        {
            Path = "/bin/sh",
            Args = ["-c", "echo via-fd3 >&3; ls /proc/self/fd | wc -l >&3"],
            Fds = [(3, write)],
            NewSession = true,
        });
        Fd.Close(write);
        Assert.Equal(0, await child.WaitAsync());
        var buffer = new byte[256];
        var text = new StringBuilder();
        int n;
        while ((n = Fd.Read(read, buffer)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        Fd.Close(read);
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("via-fd3", lines[0]);

        // 0, 1, 2 (the parent's), 3, and the directory ls itself opens: nothing else leaks.
        Assert.True(int.Parse(lines[1].Trim(), System.Globalization.CultureInfo.InvariantCulture) <= 5, "inherited descriptors: " + lines[1]);

        var sleeper = Spawn.Start(new SpawnOptions { Path = "/bin/sleep", Args = ["10"] });
        sleeper.Signal(15);
        Assert.Equal(143, await sleeper.WaitAsync());
    }

    [Fact]
    public void PidFd_SignalsOnlyWhenConfirmed()
    {
        var sleeper = Spawn.Start(new SpawnOptions { Path = "/bin/sleep", Args = ["10"] });
        Assert.False(PidFd.Signal(sleeper.Pid, 9, () => false));
        Assert.True(PidFd.Signal(sleeper.Pid, 9, () => true));
        Assert.Equal(137, sleeper.Wait());
        Assert.False(PidFd.Signal(sleeper.Pid, 9, () => true));
    }

    [Fact]
    public void Mountinfo_KnowsMountPoints()
    {
        Assert.True(Mounter.IsMountPoint("/proc"));
        Assert.False(Mounter.IsMountPoint("/proc/self"));
        Mounter.Unmount("/nonexistent-" + Guid.NewGuid().ToString("N"));
    }
}
