using System.Text;
using Berth.Core.Model;
using Berth.Platform.Mounts;
using Berth.Platform.Processes;
using Berth.Runtime;

namespace Berth.Tests.Integration.Runtime;

/// <summary>
/// A private runtime per test class: its own exec-root, data dir and cgroup parent, a busybox
/// rootfs, and the NativeAOT berth-shim (published once per machine if $BERTH_SHIM is not set).
/// </summary>
public sealed class RuntimeTestEnvironment : IAsyncLifetime
{
    private static readonly SemaphoreSlim PublishLock = new(1, 1);
    private readonly List<string> _mounts = [];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "rt-" + Guid.NewGuid().ToString("N")[..10]);

    public string CgroupParent { get; } = "/rt-test-" + Guid.NewGuid().ToString("N")[..8];

    public string LowerDir => Path.Combine(Root, "busybox");

    public RuntimeOptions Options { get; private set; } = null!;

    public RuncRuntime Runtime { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        BuildBusyboxRootfs(LowerDir);
        var shim = await EnsureShimAsync().ConfigureAwait(false);
        Options = new RuntimeOptions
        {
            ExecRoot = Path.Combine(Root, "exec"),
            ContainersDir = Path.Combine(Root, "data", "containers"),
            ShimPath = shim,
            CgroupParent = CgroupParent,
        };
        Runtime = new RuncRuntime(Options);
    }

    public async Task DisposeAsync()
    {
        // Kill and delete whatever a failed test left behind, then the cgroup parent and files.
        var containers = Path.Combine(Options.ExecRoot, "containers");
        if (Directory.Exists(containers))
        {
            foreach (var dir in Directory.GetDirectories(containers))
            {
                try
                {
                    await Runtime.DeleteAsync(Path.GetFileName(dir), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or Berth.Core.Errors.BerthException)
                {
                }
            }
        }

        foreach (var controller in Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup") : [])
        {
            var dir = controller + CgroupParent;
            if (Directory.Exists(dir))
            {
                foreach (var child in Directory.GetDirectories(dir))
                {
                    try
                    {
                        Directory.Delete(child);
                    }
                    catch (IOException)
                    {
                    }
                }

                try
                {
                    Directory.Delete(dir);
                }
                catch (IOException)
                {
                }
            }
        }

        foreach (var m in _mounts)
        {
            Mounter.Unmount(m);
        }

        Runtime.Dispose();

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string NewId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>A launch of the busybox rootfs with a fresh overlay upper layer.</summary>
    public ContainerLaunch Launch(string id, params string[] args)
    {
        var upper = Path.Combine(Root, "layers", id[..12], "upper");
        var work = Path.Combine(Root, "layers", id[..12], "work");
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        return new ContainerLaunch
        {
            Id = id,
            Name = "c" + id[..8],
            Rootfs = new RootfsMount([LowerDir], upper, work),
            Process = new ProcessLaunch { Args = args, Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
            Hostname = id[..12],
            CgroupPath = $"{CgroupParent}/{id}",
            LogPath = Path.Combine(Options.ContainersDir, id, id + "-json.log"),
        };
    }

    public async Task<string> ReadLogTextAsync(IContainerRuntime runtime, string id, LogReadOptions? options = null)
    {
        var sb = new StringBuilder();
        await foreach (var e in runtime.ReadLogsAsync(id, options ?? new LogReadOptions(), CancellationToken.None))
        {
            sb.Append(Encoding.UTF8.GetString(e.Line.Span));
        }

        return sb.ToString();
    }

    private static void BuildBusyboxRootfs(string dir)
    {
        var bin = Path.Combine(dir, "bin");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(Path.Combine(dir, "etc"));
        Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        Directory.CreateDirectory(Path.Combine(dir, "root"));
        Directory.CreateDirectory(Path.Combine(dir, "home", "app"));
        File.Copy("/bin/busybox", Path.Combine(bin, "busybox"));
        var list = ProcessRunner.RunAsync("/bin/busybox", ["--list"]).GetAwaiter().GetResult().Stdout;
        foreach (var applet in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (applet != "busybox")
            {
                File.CreateSymbolicLink(Path.Combine(bin, applet), "busybox");
            }
        }

        File.WriteAllText(Path.Combine(dir, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        File.WriteAllText(Path.Combine(dir, "etc", "group"), "root:x:0:\nwheel:x:10:app\napp:x:1000:\nnogroup:x:65534:\n");
    }

    private static async Task<string> EnsureShimAsync()
    {
        var fromEnv = Environment.GetEnvironmentVariable("BERTH_SHIM");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv))
        {
            return fromEnv;
        }

        var repo = FindRepoRoot();
        var published = Path.Combine(repo, "out", "berth-shim");
        if (File.Exists(published) && File.GetLastWriteTimeUtc(published) >= NewestSource(repo))
        {
            return published;
        }

        var testShim = Path.Combine(repo, ".artifacts", "test-shim", "berth-shim");
        await PublishLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!File.Exists(testShim) || File.GetLastWriteTimeUtc(testShim) < NewestSource(repo))
            {
                var result = await ProcessRunner.RunAsync(
                    "dotnet",
                    ["publish", Path.Combine(repo, "src", "Berth.Shim", "Berth.Shim.csproj"), "-c", "Release", "-r", "linux-x64", "-o", Path.GetDirectoryName(testShim)!, "-nologo"],
                    timeout: TimeSpan.FromMinutes(8)).ConfigureAwait(false);
                Assert.True(result.Succeeded, "publishing berth-shim failed: " + result.Stdout + result.Stderr);
            }
        }
        finally
        {
            PublishLock.Release();
        }

        return testShim;
    }

    private static DateTime NewestSource(string repo)
    {
        var newest = DateTime.MinValue;
        foreach (var project in new[] { "Berth.Shim", "Berth.Runtime", "Berth.Platform", "Berth.Core" })
        {
            foreach (var f in Directory.EnumerateFiles(Path.Combine(repo, "src", project), "*.*", SearchOption.AllDirectories))
            {
                if ((f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
                    && !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
                {
                    var t = File.GetLastWriteTimeUtc(f);
                    if (t > newest)
                    {
                        newest = t;
                    }
                }
            }
        }

        return newest;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root (Berth.slnx) not found");
    }
}
