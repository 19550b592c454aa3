using System.Net;
using System.Text;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Volumes;

public sealed class VolumeSubpathDaemon() : DaemonFixture("vsub");

/// <summary>
/// --mount type=volume,volume-subpath=... (API 1.45): only that part of the volume is mounted; the
/// subpath is resolved beneath the volume's directory by descriptor, so a symlink a container
/// planted in the volume cannot lead another container's mount out of it; errors are dockerd's.
/// </summary>
public sealed class VolumeSubpathTests(VolumeSubpathDaemon fixture) : IClassFixture<VolumeSubpathDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private static string Name(string what) => $"{what}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{_d.Log}");
        return r.Out;
    }

    private string DataOf(string volume) => Path.Combine(_d.DataRoot, "volumes", volume, "_data");

    /// <summary>A volume holding top.txt, sub/in-sub.txt and sub/deeper/d.txt, written by a container.</summary>
    private async Task<string> FilledVolumeAsync()
    {
        var v = Name("v");
        await OkAsync("run", "--rm", "--network", "none", "-v", $"{v}:/v", "busybox", "sh", "-c", "echo top > /v/top.txt && mkdir -p /v/sub/deeper && echo in-sub > /v/sub/in-sub.txt && echo d > /v/sub/deeper/d.txt");
        return v;
    }

    [Fact]
    public async Task Subpath_mounts_only_that_directory_or_file_with_docker_and_berth()
    {
        var v = await FilledVolumeAsync();
        Assert.Equal("deeper\nin-sub.txt", await OkAsync("run", "--rm", "--network", "none", "--mount", $"type=volume,src={v},dst=/m,volume-subpath=sub", "busybox", "ls", "/m"));
        Assert.Equal("d.txt", await OkAsync("run", "--rm", "--network", "none", "--mount", $"type=volume,src={v},dst=/m,volume-subpath=sub/deeper/./", "busybox", "ls", "/m"));
        Assert.Equal("in-sub", await OkAsync("run", "--rm", "--network", "none", "--mount", $"type=volume,src={v},dst=/f.txt,volume-subpath=sub/in-sub.txt", "busybox", "cat", "/f.txt"));

        // Writes land in the subdirectory of the volume; read-only is honoured.
        await OkAsync("run", "--rm", "--network", "none", "--mount", $"type=volume,src={v},dst=/m,volume-subpath=sub", "busybox", "sh", "-c", "echo written > /m/new.txt");
        Assert.Equal("written\n", await File.ReadAllTextAsync(Path.Combine(DataOf(v), "sub", "new.txt")));
        var ro = await _d.DockerAsync("run", "--rm", "--network", "none", "--mount", $"type=volume,src={v},dst=/m,volume-subpath=sub,readonly", "busybox", "touch", "/m/x");
        Assert.NotEqual(0, ro.ExitCode);
        Assert.Contains("Read-only file system", ro.Stderr, StringComparison.Ordinal);

        // A symlink inside the volume that stays inside it is followed, as dockerd does.
        await OkAsync("run", "--rm", "--network", "none", "-v", $"{v}:/v", "busybox", "ln", "-s", "sub/deeper", "/v/inner");
        Assert.Equal("d.txt", await OkAsync("run", "--rm", "--network", "none", "--mount", $"type=volume,src={v},dst=/m,volume-subpath=inner", "busybox", "ls", "/m"));

        // The berth CLI parses volume-subpath the same way.
        var b = await _d.BerthAsync("run", "--rm", "--network", "none", "--mount", $"type=volume,source={v},target=/m,volume-subpath=sub/deeper", "busybox", "cat", "/m/d.txt");
        Assert.True(b.ExitCode == 0, b.ToString());
        Assert.Equal("d", b.Out);

        // Inspect shows the spec as given; the pinned mount points are gone once the container runs.
        var c = Name("c");
        await OkAsync("run", "-d", "--network", "none", "--name", c, "--mount", $"type=volume,src={v},dst=/m,volume-subpath=sub", "busybox", "sleep", "600");
        Assert.Equal("sub", await OkAsync("inspect", "-f", "{{(index .HostConfig.Mounts 0).VolumeOptions.Subpath}}", c));
        Assert.Equal($"{v} /m {DataOf(v)}", await OkAsync("inspect", "-f", "{{range .Mounts}}{{.Name}} {{.Destination}} {{.Source}}{{end}}", c));
        var id = await OkAsync("inspect", "-f", "{{.Id}}", c);
        Assert.False(Directory.Exists(Path.Combine(_d.DataRoot, "containers", id, "subpaths")) && Directory.EnumerateFileSystemEntries(Path.Combine(_d.DataRoot, "containers", id, "subpaths")).Any());
        Assert.DoesNotContain(Path.Combine(_d.DataRoot, "containers", id, "subpaths"), await File.ReadAllTextAsync("/proc/self/mountinfo"), StringComparison.Ordinal);
        Assert.Equal("/m/in-sub.txt", await OkAsync("exec", c, "ls", "/m/in-sub.txt"));

        // cp on the stopped container sees the subpath at the mount point too.
        await OkAsync("stop", "-t", "0", c);
        var cp = Path.Combine(Path.GetTempPath(), Name("cp"));
        try
        {
            await OkAsync("cp", $"{c}:/m/in-sub.txt", cp);
            Assert.Equal("in-sub\n", await File.ReadAllTextAsync(cp));
        }
        finally
        {
            File.Delete(cp);
        }

        await OkAsync("rm", "-f", c);
    }

    [Fact]
    public async Task Symlinks_planted_in_the_volume_cannot_lead_another_containers_mount_out_of_it()
    {
        // The attacker owns the volume's content: symlinks to the host's root, up and out, and a
        // directory on the way that is itself a symlink out.
        var v = Name("hostile");
        await OkAsync("run", "--rm", "--network", "none", "-v", $"{v}:/v", "busybox", "sh", "-c", "ln -s / /v/root && ln -s ../../../../../../.. /v/up && ln -s /etc /v/etc && mkdir /v/ok && ln -s ../../../../../../../etc /v/ok/out");
        foreach (var subpath in new[] { "root", "up", "etc", "ok/out", "root/etc", "ok/out/hostname" })
        {
            var r = await _d.DockerAsync("run", "--rm", "--network", "none", "--mount", $"type=volume,src={v},dst=/m,volume-subpath={subpath}", "busybox", "ls", "/m");
            Assert.True(r.ExitCode != 0, $"volume-subpath={subpath} was mounted: {r}");
            Assert.Contains($"Error response from daemon: path concatenation escapes the base directory, base: {DataOf(v)}, subpath: {subpath}", r.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("etc", r.Out, StringComparison.Ordinal);
        }

        // The lexical escape is refused at create, as dockerd's parser does.
        var dotdot = await _d.DockerAsync("create", "--mount", $"type=volume,src={v},dst=/m,volume-subpath=../../..", "busybox");
        Assert.NotEqual(0, dotdot.ExitCode);
        Assert.Contains("invalid mount config for type \"volume\": subpath must be a relative path within the volume", dotdot.Stderr, StringComparison.Ordinal);

        // Nothing the refused starts pinned is left mounted.
        Assert.DoesNotContain("/subpaths/", await File.ReadAllTextAsync("/proc/self/mountinfo"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_subpath_anonymous_volume_and_old_api_versions_get_dockerds_errors()
    {
        var v = await FilledVolumeAsync();
        var missing = await _d.DockerAsync("run", "--rm", "--network", "none", "--mount", $"type=volume,src={v},dst=/m,volume-subpath=nope/deeper", "busybox", "true");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains($"Error response from daemon: cannot access path {DataOf(v)}/nope/deeper: lstat {DataOf(v)}/nope: no such file or directory", missing.Stderr, StringComparison.Ordinal);

        var anonymous = await _d.DockerAsync("create", "--mount", "type=volume,dst=/m,volume-subpath=sub", "busybox");
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("invalid mount config for type \"volume\": must not set Subpath when using anonymous volumes", anonymous.Stderr, StringComparison.Ordinal);

        // Before API 1.45 dockerd refuses the field rather than mounting the whole volume.
        var body = "{\"Image\":\"busybox\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"" + v + "\",\"Target\":\"/m\",\"VolumeOptions\":{\"Subpath\":\"sub\"}}]}}";
        using var old = await _d.Http.PostAsync("/v1.44/containers/create", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        Assert.Equal("{\"message\":\"VolumeOptions.Subpath needs API v1.45 or newer\"}\n", await old.Content.ReadAsStringAsync());
        using var current = await _d.Http.PostAsync("/v1.45/containers/create", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, current.StatusCode);
    }
}
