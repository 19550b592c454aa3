using System.Text;
using Berth.Containers.Query;
using Berth.Containers.Streams;

namespace Berth.Tests.Unit.Containers;

public sealed class StreamsTests
{
    [Fact]
    public void Detach_keys_parse_like_docker()
    {
        Assert.Equal([16, 17], DetachKeys.Parse(null));
        Assert.Equal([1, (byte)'x'], DetachKeys.Parse("ctrl-a,x"));
        Assert.Throws<Berth.Core.Errors.BerthException>(() => DetachKeys.Parse("ctrl-ab"));
    }

    [Fact]
    public async Task Input_is_forwarded_until_the_detach_sequence_which_is_swallowed()
    {
        var got = new StringBuilder();
        var input = new MemoryStream([.. "ab\u0010c"u8, 0x10, 0x11, .. "zz"u8]);
        var detached = await InputPump.CopyAsync(input, (d, _) => { got.Append(Encoding.ASCII.GetString(d.Span)); return ValueTask.CompletedTask; }, DetachKeys.Parse(null), CancellationToken.None);
        Assert.True(detached);
        Assert.Equal("ab\u0010c", got.ToString());
    }

    [Fact]
    public async Task End_of_input_without_the_sequence_is_not_a_detach()
    {
        var got = new StringBuilder();
        var detached = await InputPump.CopyAsync(new MemoryStream("hello\u0010"u8.ToArray()), (d, _) => { got.Append(Encoding.ASCII.GetString(d.Span)); return ValueTask.CompletedTask; }, DetachKeys.Parse(null), CancellationToken.None);
        Assert.False(detached);
        Assert.Equal("hello\u0010", got.ToString());
    }

    [Fact]
    public void Top_keeps_the_containers_processes_and_the_whole_command()
    {
        var ps = "UID          PID    PPID  C STIME TTY          TIME CMD\nroot           1       0  0 10:00 ?        00:00:01 /sbin/init\nroot        4242    4200  0 10:01 ?        00:00:00 sleep 600 now\n";
        var (titles, processes) = TopParser.Parse(ps, new HashSet<int> { 4242 });
        Assert.Equal(["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], titles);
        var p = Assert.Single(processes);
        Assert.Equal("sleep 600 now", p[^1]);
        Assert.Equal("4242", p[1]);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Filesystem_changes_from_an_upper_dir()
    {
        var root = Directory.CreateTempSubdirectory("berth-diff-").FullName;
        try
        {
            var lower = Path.Combine(root, "lower");
            var upper = Path.Combine(root, "upper");
            Directory.CreateDirectory(Path.Combine(lower, "etc"));
            File.WriteAllText(Path.Combine(lower, "etc", "passwd"), "root");
            File.WriteAllText(Path.Combine(lower, "etc", "group"), "root");
            Directory.CreateDirectory(Path.Combine(upper, "etc"));
            File.WriteAllText(Path.Combine(upper, "etc", "passwd"), "root\nx");
            File.WriteAllText(Path.Combine(upper, "newfile"), string.Empty);
            File.WriteAllText(Path.Combine(upper, "etc", "hosts"), string.Empty);
            Directory.CreateDirectory(Path.Combine(upper, "proc"));
            Directory.CreateDirectory(Path.Combine(lower, "dev"));
            Directory.CreateDirectory(Path.Combine(upper, "dev", "shm"));
            var whiteout = Path.Combine(upper, "etc", "group");
            File.WriteAllText(whiteout, string.Empty);
            File.SetUnixFileMode(whiteout, UnixFileMode.None);
            var changes = FilesystemChanges.Compute(upper, [lower]);
            Assert.Equal(
                [("/etc", FilesystemChangeKind.Modified), ("/etc/group", FilesystemChangeKind.Deleted), ("/etc/passwd", FilesystemChangeKind.Modified), ("/newfile", FilesystemChangeKind.Added)],
                changes);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
