using Berth.Containers;
using Berth.Core.Errors;
using Berth.Core.Model;
using Berth.Images;

namespace Berth.Tests.Unit.Containers;

/// <summary>An in-memory image store with busybox-like images; writable layers are real directories under a temp root.</summary>
public sealed class FakeImages(string root) : IContainerImages
{
    public const string BusyboxId = "sha256:8a717822b88563bbb8e061d080b10339891618a2dfeb949985004af4ba7c26c3";

    public Dictionary<string, ImageRecord> Images { get; } = new()
    {
        ["busybox"] = new ImageRecord
        {
            Id = BusyboxId,
            RepoTags = ["busybox:latest"],
            Config = new ImageConfig
            {
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                Cmd = ["sh"],
            },
        },
    };

    public Task<ImageRecord> ResolveAsync(string nameOrId, CancellationToken cancellationToken)
    {
        var key = nameOrId.EndsWith(":latest", StringComparison.Ordinal) ? nameOrId[..^7] : nameOrId;
        if (Images.TryGetValue(key, out var image))
        {
            return Task.FromResult(image);
        }

        var byId = Images.Values.FirstOrDefault(i => i.Id == nameOrId || i.Id[7..].StartsWith(nameOrId, StringComparison.Ordinal));
        return byId is not null ? Task.FromResult(byId) : throw BerthException.NotFound($"No such image: {nameOrId}");
    }

    public Task<RootfsMount> PrepareRootfsAsync(string containerId, ImageRecord image, CancellationToken cancellationToken)
    {
        var m = Mount(containerId);
        Directory.CreateDirectory(m.UpperDir);
        Directory.CreateDirectory(m.WorkDir);
        Directory.CreateDirectory(m.LowerDirs[0]);
        return Task.FromResult(m);
    }

    public RootfsMount? GetRootfs(string containerId) => Directory.Exists(Mount(containerId).UpperDir) ? Mount(containerId) : null;

    public Task RemoveRootfsAsync(string containerId, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(root, "snapshots", containerId);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }

        return Task.CompletedTask;
    }

    public long GetRootfsSize(string containerId) => 4096;

    private RootfsMount Mount(string id) => new(
        [Path.Combine(root, "lower")],
        Path.Combine(root, "snapshots", id, "upper"),
        Path.Combine(root, "snapshots", id, "work"));
}
