using System.Globalization;
using System.Runtime.InteropServices;
using Berth.Api.Json;
using Berth.Containers;
using Berth.Daemon.Configuration;
using Berth.Platform.Files;
using Wire = Berth.Api.Containers;

namespace Berth.Daemon.Http.Containers;

/// <summary>GET /info: engine identity, host facts and container counts, in the shape docker info renders.</summary>
public static class InfoRoutes
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Name, bool DType)> BackingFilesystems = new(StringComparer.Ordinal);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/info", InfoAsync);
    }

    private static async Task InfoAsync(HttpContext ctx, IContainerQueries svc, DaemonOptions options, TimeProvider time, IServiceProvider services)
    {
        var snapshot = svc.Snapshot;
        int running = 0, paused = 0, stopped = 0;
        foreach (var c in snapshot.ById.Values)
        {
            if (c.State.Paused)
            {
                paused++;
            }
            else if (c.State.Running)
            {
                running++;
            }
            else
            {
                stopped++;
            }
        }

        var (os, osVersion) = OsRelease();
        var cgroup2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        var info = new Wire.SystemInfo
        {
            ID = EngineId(options.DataRoot),
            Containers = snapshot.Count,
            ContainersRunning = running,
            ContainersPaused = paused,
            ContainersStopped = stopped,
            Images = services.GetService<Berth.Images.ImageService>()?.List(new Berth.Images.ImageListOptions()).Count ?? 0,
            Driver = "overlay2",
            DriverStatus = DriverStatus(options.DataRoot),
            Plugins = new Wire.PluginsInfo(["local"], ["bridge", "host", "none"], null, ["json-file", "local", "none"]),
            Debug = options.LogLevel == "debug",
            NFd = CountFds(),
            NGoroutines = ThreadCount(),
            SystemTime = time.GetLocalNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture),
            LoggingDriver = options.LogDriver,
            CgroupDriver = "cgroupfs",
            CgroupVersion = cgroup2 ? "2" : "1",
            KernelVersion = ReadTrimmed("/proc/sys/kernel/osrelease"),
            OperatingSystem = os,
            OSVersion = osVersion,
            OSType = "linux",
            Architecture = RuntimeInformation.OSArchitecture switch
            {
                Architecture.X64 => "x86_64",
                Architecture.Arm64 => "aarch64",
                var a => a.ToString().ToLowerInvariant(),
            },
            RegistryConfig = new Wire.RegistryServiceConfig(
                ["::1/128", "127.0.0.0/8"],
                new Dictionary<string, Wire.IndexInfo> { ["docker.io"] = new("docker.io", [], true, true) },
                []),
            NCPU = Environment.ProcessorCount,
            MemTotal = MemTotal(),
            DockerRootDir = options.DataRoot,
            HttpProxy = ProxySettings.HttpProxy,
            HttpsProxy = ProxySettings.HttpsProxy,
            NoProxy = ProxySettings.NoProxy,
            Name = System.Net.Dns.GetHostName(),
            Labels = [.. options.Labels.Select(l => $"{l.Key}={l.Value}")],
            ServerVersion = DaemonInfo.Version,
            Runtimes = options.Runtimes.ToDictionary(r => r.Key, r => new Wire.RuntimeInfo(r.Value)),
            DefaultRuntime = options.DefaultRuntime,
            Swarm = new Wire.SwarmInfo(string.Empty, string.Empty, "inactive", false, string.Empty, null),
            LiveRestoreEnabled = options.LiveRestore,
            SecurityOptions = SecurityOptions(options, cgroup2),
        };
        await ContainerRoutes.WriteJsonAsync(ctx, info, ContainersJsonContext.Default.SystemInfo).ConfigureAwait(false);
    }

    /// <summary>docker info's security options: the daemon's default seccomp profile by name ("builtin", "unconfined", a path, Berth's "builtin-native").</summary>
    private static List<string> SecurityOptions(DaemonOptions options, bool cgroup2)
    {
        var profile = string.IsNullOrEmpty(options.SeccompProfile) ? Berth.Runtime.Oci.SeccompDefault.Builtin : options.SeccompProfile;
        List<string> result = [$"name=seccomp,profile={profile}"]; // dockerd lists "unconfined" too
        if (cgroup2)
        {
            result.Add("name=cgroupns");
        }

        return result;
    }

    /// <summary>A stable engine ID kept in the data root (docker info's ID).</summary>
    /// <summary>The overlay driver's status lines; the backing file system is probed once per data root.</summary>
    private static List<List<string>> DriverStatus(string dataRoot)
    {
        var (fs, dtype) = BackingFilesystems.GetOrAdd(dataRoot, static root =>
        {
            Directory.CreateDirectory(root);
            return (BackingFilesystem.Name(root), BackingFilesystem.SupportsDType(root));
        });
        return [["Backing Filesystem", fs], ["Supports d_type", dtype ? "true" : "false"], ["Using metacopy", "false"], ["Native Overlay Diff", "true"], ["userxattr", "false"]];
    }

    private static string EngineId(string dataRoot)
    {
        var path = Path.Combine(dataRoot, "engine-id");
        try
        {
            if (File.Exists(path))
            {
                return File.ReadAllText(path).Trim();
            }

            var id = Guid.NewGuid().ToString();
            File.WriteAllText(path, id);
            return id;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static (string Pretty, string Version) OsRelease()
    {
        var pretty = "Linux";
        var version = string.Empty;
        try
        {
            foreach (var line in File.ReadAllLines("/etc/os-release"))
            {
                if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                {
                    pretty = line["PRETTY_NAME=".Length..].Trim('"');
                }
                else if (line.StartsWith("VERSION_ID=", StringComparison.Ordinal))
                {
                    version = line["VERSION_ID=".Length..].Trim('"');
                }
            }
        }
        catch (IOException)
        {
        }

        return (pretty, version);
    }

    private static long MemTotal()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kb is null ? 0 : long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static int CountFds()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static int ThreadCount()
    {
        try
        {
            return Directory.EnumerateDirectories("/proc/self/task").Count();
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
