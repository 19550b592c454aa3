using System.Net;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Images;

public sealed class ImagesDaemon() : DaemonFixture("img");

/// <summary>The image commands of the real docker CLI against berthd.</summary>
public sealed class ImagesCliTests(ImagesDaemon fixture) : IClassFixture<ImagesDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}");
        return r.Out;
    }

    private Task<string> IdAsync(string name) => OkAsync("image", "inspect", "-f", "{{.Id}}", name);

    [Fact]
    public async Task Images_lists_busybox_and_inspect_shows_dockers_fields()
    {
        var id = await IdAsync("busybox");
        Assert.Contains($"busybox:latest {id[7..19]}", await OkAsync("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"), StringComparison.Ordinal);
        Assert.Equal(id, await IdAsync("docker.io/library/busybox:latest"));
        Assert.Equal("linux/1/[\"sh\"]/overlay2", await OkAsync("image", "inspect", "-f", "{{.Os}}/{{len .RootFS.Layers}}/{{json .Config.Cmd}}/{{.GraphDriver.Name}}", "busybox"));
        Assert.Equal(id, await OkAsync("inspect", "--type", "image", "-f", "{{.Id}}", "busybox"));
        var history = await OkAsync("history", "busybox");
        Assert.Matches("IMAGE +CREATED +CREATED BY +SIZE", history.Split('\n')[0]);
        Assert.Contains("busybox-image.sh", history, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tag_filter_and_rmi_untag_then_delete()
    {
        var id = await IdAsync("busybox");
        await OkAsync("tag", "busybox:latest", "t1/tagged:v1");
        await OkAsync("tag", "busybox", "t1/notag");
        Assert.Equal(id, await IdAsync("t1/notag:latest"));
        Assert.NotEqual(0, (await _d.DockerAsync("tag", "busybox", "t1/UPPER:v1")).ExitCode);
        Assert.Equal("t1/tagged:v1", await OkAsync("image", "ls", "--filter", "reference=t1/tagged", "--format", "{{.Repository}}:{{.Tag}}"));
        var rmi = await OkAsync("rmi", "t1/tagged:v1");
        Assert.Equal("Untagged: t1/tagged:v1", rmi);
        await OkAsync("rmi", "t1/notag");
        Assert.Equal(id, await IdAsync("busybox"));
        var missing = await _d.DockerAsync("rmi", "t1/nosuch:v9");
        Assert.Contains("No such image: t1/nosuch:v9", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_to_a_pipe_and_load_restores_two_tags_with_the_same_id()
    {
        var id = await IdAsync("busybox");
        await OkAsync("tag", "busybox", "t2/one:v1");
        await OkAsync("tag", "busybox", "t2/two:v2");
        var file = Path.Combine(_d.Dir, "two.tar");
        await OkAsync("save", "-o", file, "t2/one:v1", "t2/two:v2");
        var listing = await Shell.CheckAsync("tar", "-tf", file);
        Assert.Contains("manifest.json", listing.Out, StringComparison.Ordinal);
        Assert.Contains("index.json", listing.Out, StringComparison.Ordinal);
        Assert.Contains("oci-layout", listing.Out, StringComparison.Ordinal);
        await OkAsync("rmi", "t2/one:v1", "t2/two:v2");
        var load = await Shell.RunAsync("sh", ["-c", $"{RepoPaths.DockerCli} load < {file}"], new Dictionary<string, string> { ["DOCKER_HOST"] = _d.DockerHost });
        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Contains("Loaded image: t2/one:v1", load.Out, StringComparison.Ordinal);
        Assert.Contains("Loaded image: t2/two:v2", load.Out, StringComparison.Ordinal);
        Assert.Equal(id, await IdAsync("t2/two:v2"));
        var pipe = await Shell.RunAsync("sh", ["-c", $"{RepoPaths.DockerCli} image save t2/two:v2 | {RepoPaths.DockerCli} image load"], new Dictionary<string, string> { ["DOCKER_HOST"] = _d.DockerHost });
        Assert.Contains("t2/two:v2", pipe.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_with_changes_then_prune_dangling_and_all()
    {
        var root = Path.Combine(_d.Dir, "rootfs");
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, "marker"), "exported");
        var tar = Path.Combine(_d.Dir, "rootfs.tar");
        await Shell.CheckAsync("tar", "-C", root, "-cf", tar, ".");
        var plain = await OkAsync("import", tar, "t3/imported:v1");
        Assert.Matches("^sha256:[0-9a-f]{64}$", plain);
        Assert.Equal("1 []", await OkAsync("image", "inspect", "-f", "{{len .RootFS.Layers}} {{.Config.Cmd}}", "t3/imported:v1"));
        var piped = await Shell.RunAsync("sh", ["-c", $"gzip -c {tar} | {RepoPaths.DockerCli} import -c 'CMD [\"cat\",\"/marker\"]' -c 'ENV FROM_IMPORT=1' -c 'LABEL t3=yes' -m msg - t3/imported:v1"], new Dictionary<string, string> { ["DOCKER_HOST"] = _d.DockerHost });
        Assert.True(piped.ExitCode == 0, piped.ToString());
        Assert.Equal("[\"cat\",\"/marker\"] [FROM_IMPORT=1] msg", await OkAsync("image", "inspect", "-f", "{{json .Config.Cmd}} {{.Config.Env}} {{.Comment}}", "t3/imported:v1"));
        Assert.Contains(plain, await OkAsync("images", "--filter", "dangling=true", "-q", "--no-trunc"), StringComparison.Ordinal);
        var prune = await OkAsync("image", "prune", "-f");
        Assert.Contains(plain, prune, StringComparison.Ordinal);
        Assert.NotEqual(0, (await _d.DockerAsync("image", "inspect", plain)).ExitCode);
        await OkAsync("image", "prune", "-a", "-f", "--filter", "label=t3=yes");
        Assert.NotEqual(0, (await _d.DockerAsync("image", "inspect", "t3/imported:v1")).ExitCode);
        await OkAsync("image", "inspect", "busybox");
        var bad = await _d.DockerAsync("import", "-c", "FROM x", tar);
        Assert.Contains("FROM is not a valid change command", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_archive_is_refused_and_nothing_is_listed()
    {
        var evil = Path.Combine(_d.Dir, "evil");
        Directory.CreateDirectory(evil);
        await Shell.CheckAsync("sh", "-c", $"cd {evil} && printf x > f && tar -cf layer.tar --transform 's,^f,../../escape,' f && sha=$(sha256sum layer.tar | cut -d' ' -f1) && " +
            "printf '{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:'$sha'\"]}}' > config.json && " +
            "printf '[{\"Config\":\"config.json\",\"RepoTags\":[\"t4/evil:v1\"],\"Layers\":[\"layer.tar\"]}]' > manifest.json && tar -cf ../evil.tar manifest.json config.json layer.tar");
        var r = await _d.DockerAsync("load", "-i", Path.Combine(_d.Dir, "evil.tar"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("outside of the layer", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("t4/evil", await OkAsync("images", "-a"), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_d.DataRoot, "escape")));
        // As dockerd, load always answers a 200 message stream; the refusal is its errorDetail line.
        using var resp = await _d.Http.PostAsync("/v1.50/images/load", new StreamContent(File.OpenRead(Path.Combine(_d.Dir, "evil.tar"))));
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        var body = await resp.Content.ReadAsStringAsync();
        Assert.StartsWith("{\"errorDetail\":{\"message\":", body, StringComparison.Ordinal);
        Assert.Contains("outside of the layer", body, StringComparison.Ordinal);
    }
}
