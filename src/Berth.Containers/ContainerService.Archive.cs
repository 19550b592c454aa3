using Berth.Containers.Archive;
using Berth.Core.Errors;
using Berth.Storage.Layers;

namespace Berth.Containers;

public sealed partial class ContainerService
{
    /// <summary>docker export: the container's whole root filesystem (flattened) as a tar stream.</summary>
    public async Task ExportAsync(string idOrName, Stream output, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        var rootfs = RootfsOf(c.Id) ?? throw new BerthException(ErrorKind.Internal, $"the writable layer of container {c.Id} is missing");
        using var view = RootfsView.Open(rootfs, c.Directory);
        await LayerDiff.WriteAsync(view.Root, output, cancellationToken).ConfigureAwait(false);
        Publish(c, "export");
    }

    /// <summary>Publishes the container "commit" event (the image service made the image).</summary>
    public void PublishCommit(string idOrName, string imageId, string comment)
    {
        var c = Get(idOrName);
        Publish(c, "commit", new Dictionary<string, string>(StringComparer.Ordinal) { ["comment"] = comment, ["imageID"] = imageId });
    }
}
