namespace Berth.Core.Model;

/// <summary>
/// What is needed to mount a container's root filesystem with overlayfs. For an image without
/// layers <see cref="LowerDirs"/> is empty and the rootfs is a bind of <see cref="UpperDir"/>.
/// </summary>
public sealed record RootfsMount(IReadOnlyList<string> LowerDirs, string UpperDir, string WorkDir)
{
    /// <summary>overlay mount options: lowerdir=top:...:base,upperdir=...,workdir=...</summary>
    public string OverlayOptions =>
        $"lowerdir={string.Join(':', LowerDirs)},upperdir={UpperDir},workdir={WorkDir}";
}
