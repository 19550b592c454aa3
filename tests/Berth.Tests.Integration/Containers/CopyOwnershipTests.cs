using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

public sealed class CopyDaemon() : DaemonFixture("cpown");

/// <summary>
/// docker cp and ownership, as Docker documents it: files copied into a container belong to the
/// container's user (root by default); with -a (copyUIDGID) they keep the uid/gid of the source.
/// </summary>
public sealed class CopyOwnershipTests(CopyDaemon fixture) : IClassFixture<CopyDaemon>, IDisposable
{
    private readonly BerthDaemon _d = fixture.Daemon;
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-cpown-").FullName;

    public static TheoryData<string> Clis => new() { "docker", "berth" };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<CommandResult> CliAsync(string cli, params string[] args) => cli == "docker" ? _d.DockerAsync(args) : _d.BerthAsync(args);

    private async Task<CommandResult> OkAsync(string cli, params string[] args)
    {
        var r = await CliAsync(cli, args);
        Assert.True(r.ExitCode == 0, $"{cli} {string.Join(' ', args)}: {r}");
        return r;
    }

    /// <summary>A host file and a directory (with a file) owned by 1234:5678.</summary>
    private async Task<(string File, string Dir)> SourcesAsync()
    {
        var file = Path.Combine(_dir, "f.txt");
        var dir = Path.Combine(_dir, "tree");
        await File.WriteAllTextAsync(file, "hi");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "g"), "x");
        await Shell.CheckAsync("chown", "-R", "1234:5678", file, dir);
        return (file, dir);
    }

    private async Task<string> OwnersAsync(string cli, string container, params string[] paths) =>
        (await OkAsync(cli, ["exec", container, "stat", "-c", "%u:%g", .. paths])).Out.Replace('\n', ' ');

    [Theory]
    [MemberData(nameof(Clis))]
    public async Task Files_copied_into_a_running_container_belong_to_its_user_unless_archive_mode(string cli)
    {
        var (file, dir) = await SourcesAsync();
        var rootC = (await OkAsync(cli, "run", "-d", "--network", "none", "busybox", "sleep", "600")).Out;
        var userC = (await OkAsync(cli, "run", "-d", "--network", "none", "-u", "www-data", "busybox", "sleep", "600")).Out;
        try
        {
            foreach (var c in new[] { rootC, userC })
            {
                await OkAsync(cli, "cp", file, c + ":/tmp/plain.txt");
                await OkAsync(cli, "cp", dir, c + ":/tmp/plain-dir");
                await OkAsync(cli, "cp", "-a", file, c + ":/tmp/arch.txt");
                await OkAsync(cli, "cp", "--archive", dir, c + ":/tmp/arch-dir");
            }

            Assert.Equal("0:0 0:0 0:0", await OwnersAsync(cli, rootC, "/tmp/plain.txt", "/tmp/plain-dir", "/tmp/plain-dir/g"));
            Assert.Equal("33:33 33:33 33:33", await OwnersAsync(cli, userC, "/tmp/plain.txt", "/tmp/plain-dir", "/tmp/plain-dir/g"));
            Assert.Equal("1234:5678 1234:5678 1234:5678", await OwnersAsync(cli, rootC, "/tmp/arch.txt", "/tmp/arch-dir", "/tmp/arch-dir/g"));
            Assert.Equal("1234:5678 1234:5678 1234:5678", await OwnersAsync(cli, userC, "/tmp/arch.txt", "/tmp/arch-dir", "/tmp/arch-dir/g"));
            Assert.Equal("hi", (await OkAsync(cli, "exec", userC, "cat", "/tmp/plain.txt")).Stdout);
        }
        finally
        {
            await CliAsync(cli, "rm", "-f", rootC, userC);
        }
    }

    [Theory]
    [MemberData(nameof(Clis))]
    public async Task A_stopped_containers_user_is_resolved_in_its_own_passwd_also_for_a_volume_path(string cli)
    {
        var (file, dir) = await SourcesAsync();
        var c = (await OkAsync(cli, "create", "--network", "none", "-u", "www-data", "-v", "/vol", "busybox", "sleep", "600")).Out;
        try
        {
            await OkAsync(cli, "cp", file, c + ":/tmp/plain.txt");
            await OkAsync(cli, "cp", dir, c + ":/vol/plain-dir");
            await OkAsync(cli, "cp", "-a", dir, c + ":/vol/arch-dir");
            await OkAsync(cli, "start", c);
            Assert.Equal("33:33 33:33 33:33", await OwnersAsync(cli, c, "/tmp/plain.txt", "/vol/plain-dir", "/vol/plain-dir/g"));
            Assert.Equal("1234:5678 1234:5678", await OwnersAsync(cli, c, "/vol/arch-dir", "/vol/arch-dir/g"));
        }
        finally
        {
            await CliAsync(cli, "rm", "-f", "-v", c);
        }
    }

    [Fact]
    public async Task Berth_cp_archive_mode_out_of_a_container_keeps_its_owners()
    {
        var c = (await OkAsync("berth", "run", "-d", "--network", "none", "busybox", "sh", "-c", "mkdir /out && echo z > /out/z && chown -R 4321:8765 /out && sleep 600")).Out;
        try
        {
            await Until.TrueAsync(async () => (await CliAsync("berth", "exec", c, "test", "-f", "/out/z")).ExitCode == 0, "the container to have written /out/z");

            await OkAsync("berth", "cp", c + ":/out", Path.Combine(_dir, "plain"));
            await OkAsync("berth", "cp", "-a", c + ":/out", Path.Combine(_dir, "arch"));
            var plain = Berth.Platform.Files.PosixFiles.Lstat(Path.Combine(_dir, "plain", "z"));
            var arch = Berth.Platform.Files.PosixFiles.Lstat(Path.Combine(_dir, "arch", "z"));
            Assert.Equal((0u, 0u), (plain.Uid, plain.Gid));
            Assert.Equal((4321u, 8765u), (arch.Uid, arch.Gid));
        }
        finally
        {
            await CliAsync("berth", "rm", "-f", c);
        }
    }
}
