namespace Berth.Platform.Cgroups;

/// <summary>
/// Which optional cgroup controls this host's kernel offers, as dockerd's sysinfo finds them: a
/// limit the kernel cannot apply is discarded at create with Docker's warning instead of making
/// the runtime fail at start.
/// </summary>
public sealed record CgroupFeatures
{
    public bool MemorySwappiness { get; init; } = true;

    /// <summary>blkio.weight (v1) / io.weight or io.bfq.weight (v2): needs a proportional IO scheduler.</summary>
    public bool BlkioWeight { get; init; } = true;

    public bool BlkioWeightDevice { get; init; } = true;

    public bool BlkioReadBpsDevice { get; init; } = true;

    public bool BlkioWriteBpsDevice { get; init; } = true;

    public bool BlkioReadIOpsDevice { get; init; } = true;

    public bool BlkioWriteIOpsDevice { get; init; } = true;

    /// <summary>Everything supported: what tests and hosts that cannot be probed assume.</summary>
    public static CgroupFeatures All { get; } = new();

    /// <summary>Probes the hierarchy mounted at <paramref name="root"/> (v1, hybrid or unified).</summary>
    public static CgroupFeatures Detect(string root = "/sys/fs/cgroup")
    {
        bool Has(string path) => File.Exists(Path.Combine(root, path));
        if (Cgroup.DetectUnified(root))
        {
            var io = File.Exists(Path.Combine(root, "cgroup.controllers"))
                && File.ReadAllText(Path.Combine(root, "cgroup.controllers")).Split(' ', '\n').Contains("io");
            var weight = io && (Has("io.weight") || Has("io.bfq.weight") || Has("init.scope/io.bfq.weight") || Has("init.scope/io.weight"));
            return new CgroupFeatures
            {
                // cgroup v2 has no swappiness knob.
                MemorySwappiness = false,
                BlkioWeight = weight,
                BlkioWeightDevice = weight,
                BlkioReadBpsDevice = io,
                BlkioWriteBpsDevice = io,
                BlkioReadIOpsDevice = io,
                BlkioWriteIOpsDevice = io,
            };
        }

        return new CgroupFeatures
        {
            MemorySwappiness = Has("memory/memory.swappiness"),
            BlkioWeight = Has("blkio/blkio.weight") || Has("blkio/blkio.bfq.weight"),
            BlkioWeightDevice = Has("blkio/blkio.weight_device") || Has("blkio/blkio.bfq.weight_device"),
            BlkioReadBpsDevice = Has("blkio/blkio.throttle.read_bps_device"),
            BlkioWriteBpsDevice = Has("blkio/blkio.throttle.write_bps_device"),
            BlkioReadIOpsDevice = Has("blkio/blkio.throttle.read_iops_device"),
            BlkioWriteIOpsDevice = Has("blkio/blkio.throttle.write_iops_device"),
        };
    }
}
