using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Volumes;

/// <summary>Volumes, mounts, cp, commit and export through the real docker CLI against berthd with runc.</summary>
public sealed class VolumeTests(VolumesDaemon fixture) : IClassFixture<VolumesDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private static string Name(string what) => $"{what}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{_d.Log}");
        return r.Out;
    }

    private async Task<string> ImageWithDataAsync()
    {
        var seed = Name("seed");
        await OkAsync("run", "--network", "none", "--name", seed, "busybox", "sh", "-c", "mkdir /data && echo image-content > /data/from-image.txt && ln -s from-image.txt /data/link && chown 12:34 /data/from-image.txt");
        var tag = Name("withdata") + ":v1";
        await OkAsync("commit", seed, tag);
        return tag;
    }

    [Fact]
    public async Task Volume_create_ls_inspect_rm_and_prune()
    {
        var v = Name("v");
        Assert.Equal(v, await OkAsync("volume", "create", "--label", "t=1", v));
        Assert.Contains($"local {v}", await OkAsync("volume", "ls", "--format", "{{.Driver}} {{.Name}}"), StringComparison.Ordinal);
        Assert.EndsWith($"/volumes/{v}/_data", await OkAsync("volume", "inspect", "-f", "{{.Mountpoint}}", v), StringComparison.Ordinal);
        Assert.Equal(v, await OkAsync("volume", "ls", "-q", "--filter", "label=t=1"));

        var holder = Name("holder");
        await OkAsync("run", "-d", "--network", "none", "--name", holder, "-v", $"{v}:/d", "busybox", "sleep", "600");
        var rm = await _d.DockerAsync("volume", "rm", v);
        Assert.NotEqual(0, rm.ExitCode);
        Assert.Contains($"remove {v}: volume is in use - [", rm.Stderr, StringComparison.Ordinal);
        await OkAsync("rm", "-f", holder);
        Assert.Contains(v, await OkAsync("volume", "prune", "-f", "--all", "--filter", "label=t=1"), StringComparison.Ordinal);
        Assert.NotEqual(0, (await _d.DockerAsync("volume", "inspect", v)).ExitCode);
    }

    [Fact]
    public async Task Propagation_table_empty_and_full_volumes_and_binds()
    {
        var img = await ImageWithDataAsync();
        var fresh = Name("fresh");

        // Empty volume over image content: copied once, with ownership and symlinks.
        Assert.Equal("image-content\n12:34 from-image.txt", await OkAsync("run", "--rm", "--network", "none", "-v", $"{fresh}:/data", img, "sh", "-c", "cat /data/from-image.txt; echo $(stat -c %u:%g /data/from-image.txt) $(readlink /data/link)"));
        Assert.Equal("image-content", await OkAsync("run", "--rm", "--network", "none", "-v", $"{fresh}:/x", "busybox", "cat", "/x/from-image.txt"));

        // Volume with data over image content: the volume wins.
        var full = Name("full");
        await OkAsync("run", "--rm", "--network", "none", "-v", $"{full}:/x", "busybox", "sh", "-c", "echo mine > /x/mine.txt");
        Assert.Equal("mine.txt", await OkAsync("run", "--rm", "--network", "none", "-v", $"{full}:/data", img, "ls", "/data"));

        // nocopy: nothing copied.
        var nocopy = Name("nocopy");
        Assert.Equal(string.Empty, await OkAsync("run", "--rm", "--network", "none", "-v", $"{nocopy}:/data:nocopy", img, "ls", "-A", "/data"));

        // Bind mount of an empty host dir hides the image content and copies nothing.
        var host = Path.Combine(_d.Dir, Name("empty"));
        Directory.CreateDirectory(host);
        Assert.Equal(string.Empty, await OkAsync("run", "--rm", "--network", "none", "-v", $"{host}:/data", img, "ls", "-A", "/data"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(host));

        // Empty image dir + empty volume: nothing to copy, the volume stays empty.
        var plain = Name("plain");
        await OkAsync("run", "--rm", "--network", "none", "-v", $"{plain}:/plain", "busybox", "true");
        Assert.Equal(string.Empty, await OkAsync("run", "--rm", "--network", "none", "-v", $"{plain}:/x", "busybox", "ls", "-A", "/x"));
    }

    [Fact]
    public async Task Containers_starting_together_on_one_empty_volume_copy_up_once_and_see_all_of_it()
    {
        var seed = Name("seed");
        await OkAsync("run", "--network", "none", "--name", seed, "busybox", "sh", "-c", "mkdir /data && for i in $(seq 1 400); do head -c 20000 /dev/urandom > /data/f$i; done");
        var img = Name("many") + ":v1";
        await OkAsync("commit", seed, img);
        const string sum = "cd /data && ls | wc -l && cat $(ls | sort) | md5sum";
        var expected = await OkAsync("run", "--rm", "--network", "none", img, "sh", "-c", sum);
        var v = Name("shared");
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _d.DockerAsync("run", "--rm", "--network", "none", "-v", $"{v}:/data", img, "sh", "-c", sum)));
        Assert.All(runs, r => Assert.True(r.ExitCode == 0 && r.Out == expected, r.ToString()));
    }

    [Fact]
    public async Task Anonymous_volumes_go_with_rm_v_and_read_only_mounts_refuse_writes()
    {
        var c = Name("anon");
        await OkAsync("run", "--network", "none", "--name", c, "-v", "/anon", "busybox", "true");
        var anon = await OkAsync("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", c);
        Assert.Matches("^[0-9a-f]{64}$", anon);
        await OkAsync("rm", "-v", c);
        Assert.NotEqual(0, (await _d.DockerAsync("volume", "inspect", anon)).ExitCode);

        var v = Name("ro");
        var r = await _d.DockerAsync("run", "--rm", "--network", "none", "-v", $"{v}:/data:ro", "busybox", "touch", "/data/x");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Read-only file system", r.Stdout + r.Stderr, StringComparison.Ordinal);

        var src = Name("src");
        await OkAsync("run", "--network", "none", "--name", src, "-v", $"{v}:/shared", "busybox", "sh", "-c", "echo from-src > /shared/f");
        Assert.Equal("from-src", await OkAsync("run", "--rm", "--network", "none", "--volumes-from", src + ":ro", "busybox", "cat", "/shared/f"));
        Assert.NotEqual(0, (await _d.DockerAsync("run", "--rm", "--network", "none", "--volumes-from", src + ":ro", "busybox", "touch", "/shared/g")).ExitCode);
    }

    [Fact]
    public async Task Cp_both_ways_never_leaves_the_container_through_hostile_symlinks()
    {
        var c = Name("evil");
        await OkAsync("run", "-d", "--network", "none", "--name", c, "busybox", "sleep", "600");
        await OkAsync("exec", c, "sh", "-c", "ln -s / /escape; ln -s ../../../../tmp /up; mkdir /d; echo hi > /d/f");
        var outDir = Path.Combine(_d.Dir, Name("out"));
        Directory.CreateDirectory(outDir);
        await OkAsync("cp", $"{c}:/d", outDir);
        Assert.Equal("hi\n", await File.ReadAllTextAsync(Path.Combine(outDir, "d", "f")));

        // /escape/etc/hostname is the container's hostname file, not the host's.
        await OkAsync("cp", $"{c}:/escape/etc/hostname", Path.Combine(outDir, "h"));
        Assert.Equal(await OkAsync("exec", c, "hostname"), (await File.ReadAllTextAsync(Path.Combine(outDir, "h"))).Trim());

        var marker = Name("marker");
        var payload = Path.Combine(outDir, marker);
        await File.WriteAllTextAsync(payload, "payload");
        await OkAsync("cp", payload, $"{c}:/up/");
        Assert.False(File.Exists(Path.Combine("/tmp", marker)));
        Assert.Equal("payload", await OkAsync("exec", c, "cat", $"/tmp/{marker}"));

        // Stopped container, both directions.
        await OkAsync("stop", "-t", "1", c);
        await OkAsync("cp", payload, $"{c}:/escape/");
        Assert.False(File.Exists(Path.Combine("/", marker)));
        await OkAsync("cp", $"{c}:/{marker}", Path.Combine(outDir, "back"));
        Assert.Equal("payload", await File.ReadAllTextAsync(Path.Combine(outDir, "back")));

        var missing = await _d.DockerAsync("cp", $"{c}:/nope", outDir);
        Assert.Contains($"Could not find the file /nope in container {c}", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cp_of_a_directory_to_a_new_path_and_into_the_root_of_a_running_container()
    {
        var c = Name("cproot");
        await OkAsync("run", "-d", "--network", "none", "--name", c, "busybox", "sleep", "600");
        var tree = Path.Combine(_d.Dir, Name("tree"));
        Directory.CreateDirectory(Path.Combine(tree, "sub"));
        await File.WriteAllTextAsync(Path.Combine(tree, "sub", "f"), "deep");

        // A missing destination: the CLI extracts into "/" with the top directory renamed.
        await OkAsync("cp", tree, $"{c}:/newdir");
        Assert.Equal("deep", await OkAsync("exec", c, "cat", "/newdir/sub/f"));
        await OkAsync("cp", tree, $"{c}:/");
        Assert.Equal("deep", await OkAsync("exec", c, "cat", $"/{Path.GetFileName(tree)}/sub/f"));
        Assert.Equal("directory", await OkAsync("exec", c, "stat", "-c", "%F", "/"));

        var back = Path.Combine(_d.Dir, Name("back"));
        await OkAsync("cp", $"{c}:/newdir", back);
        Assert.Equal("deep", await File.ReadAllTextAsync(Path.Combine(back, "sub", "f")));
    }

    [Fact]
    public async Task Commit_and_export_import_round_trip_give_runnable_images()
    {
        var c = Name("rt");
        await OkAsync("run", "--network", "none", "--name", c, "busybox", "sh", "-c", "echo round > /trip");
        var tag = Name("committed") + ":v1";
        await OkAsync("commit", "-c", "CMD [\"cat\", \"/trip\"]", c, tag);
        Assert.Equal("round", await OkAsync("run", "--rm", "--network", "none", tag));

        var tar = Path.Combine(_d.Dir, Name("export") + ".tar");
        await OkAsync("export", "-o", tar, c);
        var imported = Name("imported") + ":v1";
        await OkAsync("import", tar, imported);
        Assert.Equal("round", await OkAsync("run", "--rm", "--network", "none", imported, "cat", "/trip"));
    }
}
