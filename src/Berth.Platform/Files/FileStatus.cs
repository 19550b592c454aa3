namespace Berth.Platform.Files;

/// <summary>What lstat tells about a path (the parts layer archives need).</summary>
public readonly record struct FileStatus(
    uint Mode,
    uint Uid,
    uint Gid,
    long Size,
    ulong Inode,
    ulong Device,
    uint Nlink,
    uint RdevMajor,
    uint RdevMinor,
    long MtimeSeconds,
    uint MtimeNanos)
{
    public const uint TypeMask = 0xF000;
    public const uint Fifo = 0x1000;
    public const uint CharDevice = 0x2000;
    public const uint Directory = 0x4000;
    public const uint BlockDevice = 0x6000;
    public const uint Regular = 0x8000;
    public const uint Symlink = 0xA000;
    public const uint Socket = 0xC000;

    public uint Type => Mode & TypeMask;

    /// <summary>Permission bits including setuid, setgid and sticky.</summary>
    public uint Permissions => Mode & 0xFFF;

    public bool IsDirectory => Type == Directory;

    public bool IsSymlink => Type == Symlink;

    public bool IsRegular => Type == Regular;

    /// <summary>An overlayfs whiteout: a character device 0/0.</summary>
    public bool IsWhiteout => Type == CharDevice && RdevMajor == 0 && RdevMinor == 0;

    public DateTimeOffset Mtime => DateTimeOffset.FromUnixTimeSeconds(MtimeSeconds).AddTicks(MtimeNanos / 100);
}
