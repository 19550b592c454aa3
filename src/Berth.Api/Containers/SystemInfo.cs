namespace Berth.Api.Containers;

/// <summary>GET /info, with the fields docker info reads.</summary>
public sealed class SystemInfo
{
    public required string ID { get; init; }

    public int Containers { get; init; }

    public int ContainersRunning { get; init; }

    public int ContainersPaused { get; init; }

    public int ContainersStopped { get; init; }

    public int Images { get; init; }

    public string Driver { get; init; } = "overlay2";

    public IReadOnlyList<IReadOnlyList<string>> DriverStatus { get; init; } = [];

    public required PluginsInfo Plugins { get; init; }

    public bool MemoryLimit { get; init; } = true;

    public bool SwapLimit { get; init; } = true;

    public bool CpuCfsPeriod { get; init; } = true;

    public bool CpuCfsQuota { get; init; } = true;

    public bool CPUShares { get; init; } = true;

    public bool CPUSet { get; init; } = true;

    public bool PidsLimit { get; init; } = true;

    public bool IPv4Forwarding { get; init; } = true;

    public bool Debug { get; init; }

    public int NFd { get; init; }

    public bool OomKillDisable { get; init; } = true;

    public int NGoroutines { get; init; }

    public required string SystemTime { get; init; }

    public string LoggingDriver { get; init; } = "json-file";

    public string CgroupDriver { get; init; } = "cgroupfs";

    public string CgroupVersion { get; init; } = "1";

    public int NEventsListener { get; init; }

    public string KernelVersion { get; init; } = string.Empty;

    public string OperatingSystem { get; init; } = string.Empty;

    public string OSVersion { get; init; } = string.Empty;

    public string OSType { get; init; } = "linux";

    public string Architecture { get; init; } = "x86_64";

    public string IndexServerAddress { get; init; } = "https://index.docker.io/v1/";

    public required RegistryServiceConfig RegistryConfig { get; init; }

    public int NCPU { get; init; }

    public long MemTotal { get; init; }

    public IReadOnlyList<string>? GenericResources { get; init; }

    public required string DockerRootDir { get; init; }

    public string HttpProxy { get; init; } = string.Empty;

    public string HttpsProxy { get; init; } = string.Empty;

    public string NoProxy { get; init; } = string.Empty;

    public required string Name { get; init; }

    public IReadOnlyList<string> Labels { get; init; } = [];

    public bool ExperimentalBuild { get; init; }

    public required string ServerVersion { get; init; }

    public required IReadOnlyDictionary<string, RuntimeInfo> Runtimes { get; init; }

    public string DefaultRuntime { get; init; } = "runc";

    public required SwarmInfo Swarm { get; init; }

    public bool LiveRestoreEnabled { get; init; }

    public string Isolation { get; init; } = string.Empty;

    public string InitBinary { get; init; } = "docker-init";

    public Commit ContainerdCommit { get; init; } = new(string.Empty, string.Empty);

    public Commit RuncCommit { get; init; } = new(string.Empty, string.Empty);

    public Commit InitCommit { get; init; } = new(string.Empty, string.Empty);

    public IReadOnlyList<string> SecurityOptions { get; init; } = [];

    public IReadOnlyList<string> CDISpecDirs { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];
}
