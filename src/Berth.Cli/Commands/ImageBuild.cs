using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Cli.Streams;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>build</c> with the classic builder: the context directory (filtered by .dockerignore),
/// a stdin Dockerfile or tar, or a downloaded URL tar, uploaded to POST /build; the JSON
/// stream is printed, or only the image ID with -q.
/// </summary>
public static class ImageBuild
{
    public static CommandSpec Create(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] PATH | URL | -",
        Short = "Build an image from a Dockerfile",
        AliasPaths = ["image build", "build", "builder build"],
        Args = ArgRule.Exactly(1),
        Flags =
        [
            Flag.List("add-host", "Add a custom host-to-IP mapping (\"host:ip\")"),
            Flag.List("build-arg", "Set build-time variables"),
            Flag.List("cache-from", "Images to consider as cache sources", "strings"),
            Flag.String("cgroup-parent", "Set the parent cgroup for the \"RUN\" instructions during build"),
            Flag.NotImplemented(Flag.Bool("compress", "Compress the build context using gzip")),
            Flag.Int("cpu-period", "Limit the CPU CFS (Completely Fair Scheduler) period"),
            Flag.Int("cpu-quota", "Limit the CPU CFS (Completely Fair Scheduler) quota"),
            Flag.Int("c|cpu-shares", "CPU shares (relative weight)"),
            Flag.String("cpuset-cpus", "CPUs in which to allow execution (0-3, 0,1)"),
            Flag.String("cpuset-mems", "MEMs in which to allow execution (0-3, 0,1)"),
            Flag.Bool("disable-content-trust", "Skip image verification", "true"),
            Flag.String("f|file", "Name of the Dockerfile (Default is \"PATH/Dockerfile\")"),
            Flag.Bool("force-rm", "Always remove intermediate containers"),
            Flag.String("iidfile", "Write the image ID to the file"),
            Flag.String("isolation", "Container isolation technology"),
            Flag.List("label", "Set metadata for an image"),
            Flag.Bytes("m|memory", "Memory limit"),
            Flag.Bytes("memory-swap", "Swap limit equal to memory plus swap: -1 to enable unlimited swap"),
            Flag.String("network", "Set the networking mode for the RUN instructions during build", "default"),
            Flag.Bool("no-cache", "Do not use cache when building the image"),
            Flag.String("platform", "Set platform if server is multi-platform capable"),
            Flag.Bool("pull", "Always attempt to pull a newer version of the image"),
            Flag.Bool("q|quiet", "Suppress the build output and print image ID on success"),
            Flag.Bool("rm", "Remove intermediate containers after a successful build", "true"),
            Flag.List("security-opt", "Security options", "strings"),
            Flag.Bytes("shm-size", "Size of \"/dev/shm\""),
            Flag.Bool("squash", "Squash newly built layers into a single new layer"),
            Flag.List("t|tag", "Name and optionally a tag in the \"name:tag\" format"),
            Flag.String("target", "Set the target build stage to build."),
            Flag.List("ulimit", "Ulimit options", "ulimit", "[]"),
        ],
        Run = RunAsync,
    };

    private static async Task<int> RunAsync(Invocation inv)
    {
        var f = inv.Flags;
        var source = inv.Args[0];
        var dockerfile = f.String("file") ?? string.Empty;
        foreach (var tag in f.List("tag"))
        {
            var r = ImageReference.TryParse(tag, out var error);
            if (r is null || r.Digest is not null)
            {
                throw new CliException($"invalid argument \"{tag}\" for \"-t, --tag\" flag: {error ?? "invalid reference format"}");
            }
        }

        byte[] context;
        string dockerfileName;
        if (source == "-")
        {
            if (dockerfile == "-")
            {
                throw new CliException("invalid argument: can't use stdin for both build context and dockerfile");
            }

            var input = await ReadAllAsync(inv.Context.StdinStream, inv.CancellationToken);
            if (LooksLikeTar(input))
            {
                context = input;
                dockerfileName = dockerfile.Length > 0 ? dockerfile : "Dockerfile";
            }
            else
            {
                // A Dockerfile alone: the context holds just that file.
                dockerfileName = "Dockerfile";
                context = await TarOfFilesAsync([(dockerfileName, input)], inv.CancellationToken);
            }
        }
        else if (source.StartsWith("http://", StringComparison.Ordinal) || source.StartsWith("https://", StringComparison.Ordinal))
        {
            if (source.EndsWith(".git", StringComparison.Ordinal) || source.Contains(".git#", StringComparison.Ordinal))
            {
                throw new CliException("berth: building from a git repository URL is not supported yet", 125);
            }

            using var http = new HttpClient();
            var bytes = await http.GetByteArrayAsync(new Uri(source), inv.CancellationToken);
            if (LooksLikeGzip(bytes))
            {
                using var gz = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
                bytes = await ReadAllAsync(gz, inv.CancellationToken);
            }

            if (LooksLikeTar(bytes))
            {
                context = bytes;
                dockerfileName = dockerfile.Length > 0 ? dockerfile : "Dockerfile";
            }
            else
            {
                dockerfileName = "Dockerfile";
                context = await TarOfFilesAsync([(dockerfileName, bytes)], inv.CancellationToken);
            }
        }
        else
        {
            if (!Directory.Exists(source))
            {
                throw new CliException($"unable to prepare context: path \"{source}\" not found");
            }

            (context, dockerfileName) = await ContextFromDirectoryAsync(inv, source, dockerfile);
        }

        var buildArgs = new JsonObject();
        foreach (var a in f.List("build-arg"))
        {
            var eq = a.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                buildArgs[a[..eq]] = a[(eq + 1)..];
            }
            else
            {
                buildArgs[a] = Environment.GetEnvironmentVariable(a) is { } v ? JsonValue.Create(v) : null;
            }
        }

        var q = new EngineQuery();
        foreach (var t in f.List("tag"))
        {
            q.Add("t", t);
        }

        q.Add("dockerfile", dockerfileName)
            .AddBool("q", f.Bool("quiet"))
            .AddBool("nocache", f.Bool("no-cache"))
            .Add("rm", f.Bool("rm", true) ? "1" : "0")
            .AddBool("forcerm", f.Bool("force-rm"))
            .AddBool("pull", f.Bool("pull"))
            .AddBool("squash", f.Bool("squash"))
            .Add("target", f.String("target"))
            .Add("platform", f.String("platform"))
            .Add("networkmode", f.String("network"))
            .Add("cgroupparent", f.String("cgroup-parent"))
            .Add("isolation", f.String("isolation"))
            .Add("cpusetcpus", f.String("cpuset-cpus"))
            .Add("cpusetmems", f.String("cpuset-mems"))
            .AddIf(f.IsSet("cpu-shares"), "cpushares", Common.I(f.Int("cpu-shares")))
            .AddIf(f.IsSet("cpu-quota"), "cpuquota", Common.I(f.Int("cpu-quota")))
            .AddIf(f.IsSet("cpu-period"), "cpuperiod", Common.I(f.Int("cpu-period")))
            .AddIf(f.IsSet("memory"), "memory", Common.I(f.Bytes("memory")))
            .AddIf(f.IsSet("memory-swap"), "memswap", Common.I(f.Bytes("memory-swap")))
            .AddIf(f.IsSet("shm-size"), "shmsize", Common.I(f.Bytes("shm-size")))
            .Add("buildargs", buildArgs.ToJsonString())
            .Add("labels", ContainerOptions.KeyValueMap(f.List("label"))!.ToJsonString())
            .Add("version", "1");
        if (f.List("cache-from").Count > 0)
        {
            q.Add("cachefrom", ContainerOptions.ToArray(f.List("cache-from").SelectMany(c => c.Split(','))).ToJsonString());
        }

        if (f.List("add-host").Count > 0)
        {
            q.Add("extrahosts", string.Join(",", f.List("add-host")));
        }

        if (f.List("security-opt").Count > 0)
        {
            q.Add("securityopt", ContainerOptions.ToArray(f.List("security-opt")).ToJsonString());
        }

        if (ContainerOptions.Ulimits(f.List("ulimit")) is { } ulimits)
        {
            q.Add("ulimits", ulimits.ToJsonString());
        }

        var headers = new Dictionary<string, string> { ["X-Registry-Config"] = RegistryAuth.Encode(new JsonObject()) };
        var quiet = f.Bool("quiet");
        var progress = new StringWriter();
        string? imageId = null;
        using var response = await inv.Client.SendAsync("POST", "/build", q, new EngineContent("application/x-tar", context, null), headers, inv.CancellationToken);
        var display = new JsonMessages(quiet ? progress : inv.Out, !quiet && inv.Context.StdoutIsTerminal, Terminal.Posix.GetSize(1)?.Columns ?? 80)
        {
            OnAux = aux =>
            {
                if (Common.Str(aux, "ID") is { } id)
                {
                    imageId = id;
                }
            },
        };
        try
        {
            await display.DisplayAsync(response.Body, inv.CancellationToken);
        }
        catch (JsonMessageException e)
        {
            inv.Context.FlushOut();
            if (quiet)
            {
                await inv.Err.WriteAsync(progress.ToString());
            }

            throw new CliException(e.Message, 1);
        }

        if (quiet)
        {
            // The classic builder's quiet output is the image ID.
            var text = progress.ToString().Trim();
            await inv.Out.WriteLineAsync(text.StartsWith("sha256:", StringComparison.Ordinal) ? text : imageId ?? text);
        }

        if (f.String("iidfile") is { Length: > 0 } iid && imageId is not null)
        {
            await File.WriteAllTextAsync(iid, imageId, inv.CancellationToken);
        }

        return 0;
    }

    private static async Task<(byte[] Context, string DockerfileName)> ContextFromDirectoryAsync(Invocation inv, string dir, string dockerfile)
    {
        var root = Path.GetFullPath(dir);
        byte[]? extraDockerfile = null;
        string dockerfileName;
        if (dockerfile == "-")
        {
            extraDockerfile = await ReadAllAsync(inv.Context.StdinStream, inv.CancellationToken);
            dockerfileName = ".dockerfile." + Convert.ToHexString(Guid.NewGuid().ToByteArray()[..10]).ToLowerInvariant();
        }
        else
        {
            var full = dockerfile.Length == 0 ? Path.Combine(root, "Dockerfile") : Path.GetFullPath(dockerfile);
            if (!File.Exists(full))
            {
                var lower = Path.Combine(Path.GetDirectoryName(full)!, "dockerfile");
                if (dockerfile.Length == 0 && File.Exists(lower))
                {
                    full = lower;
                }
                else
                {
                    throw new CliException($"unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {full}: no such file or directory");
                }
            }

            if (full.StartsWith(root + "/", StringComparison.Ordinal))
            {
                dockerfileName = Path.GetRelativePath(root, full).Replace('\\', '/');
            }
            else
            {
                extraDockerfile = await File.ReadAllBytesAsync(full, inv.CancellationToken);
                dockerfileName = ".dockerfile." + Convert.ToHexString(Guid.NewGuid().ToByteArray()[..10]).ToLowerInvariant();
            }
        }

        var ignore = DockerIgnore.Load(root);
        using var ms = new MemoryStream();
        await using (var writer = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            await AddDirectoryAsync(writer, root, string.Empty, ignore, dockerfileName, inv.CancellationToken);
            if (extraDockerfile is not null)
            {
                await AddBytesAsync(writer, dockerfileName, extraDockerfile, inv.CancellationToken);
            }
        }

        return (ms.ToArray(), dockerfileName);
    }

    private static async Task AddDirectoryAsync(TarWriter writer, string root, string relative, DockerIgnore ignore, string dockerfileName, CancellationToken cancellationToken)
    {
        var dir = relative.Length == 0 ? root : Path.Combine(root, relative);
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var rel = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;

            // The Dockerfile and .dockerignore always go to the engine, ignored or not.
            var always = rel == dockerfileName || rel == ".dockerignore";
            if (entry is DirectoryInfo d && d.LinkTarget is null)
            {
                if (!always && ignore.CanSkipDirectory(rel))
                {
                    continue;
                }

                if (!ignore.IsExcluded(rel))
                {
                    await writer.WriteEntryAsync(Entry(TarEntryType.Directory, rel + "/", entry), cancellationToken);
                }

                await AddDirectoryAsync(writer, root, rel, ignore, dockerfileName, cancellationToken);
                continue;
            }

            if (!always && ignore.IsExcluded(rel))
            {
                continue;
            }

            if (entry.LinkTarget is not null)
            {
                var link = Entry(TarEntryType.SymbolicLink, rel, entry);
                link.LinkName = entry.LinkTarget;
                await writer.WriteEntryAsync(link, cancellationToken);
                continue;
            }

            var file = Entry(TarEntryType.RegularFile, rel, entry);
            await using var data = File.OpenRead(entry.FullName);
            file.DataStream = data;
            await writer.WriteEntryAsync(file, cancellationToken);
        }
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, FileSystemInfo info) => new(type, name)
    {
        Mode = (UnixFileMode)((int)info.UnixFileMode & 0xFFF),
        ModificationTime = info.LastWriteTimeUtc,
        Uid = 0,
        Gid = 0,
    };

    private static async Task AddBytesAsync(TarWriter writer, string name, byte[] data, CancellationToken cancellationToken)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            ModificationTime = DateTimeOffset.UtcNow,
            DataStream = new MemoryStream(data),
        };
        await writer.WriteEntryAsync(entry, cancellationToken);
    }

    private static async Task<byte[]> TarOfFilesAsync(IEnumerable<(string Name, byte[] Data)> files, CancellationToken cancellationToken)
    {
        using var ms = new MemoryStream();
        await using (var writer = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, data) in files)
            {
                await AddBytesAsync(writer, name, data, cancellationToken);
            }
        }

        return ms.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(Stream s, CancellationToken cancellationToken)
    {
        using var ms = new MemoryStream();
        await s.CopyToAsync(ms, cancellationToken);
        return ms.ToArray();
    }

    private static bool LooksLikeGzip(byte[] b) => b.Length > 2 && b[0] == 0x1f && b[1] == 0x8b;

    /// <summary>A tar header has "ustar" at offset 257 (or is an old v7 header with a valid checksum).</summary>
    private static bool LooksLikeTar(byte[] b) =>
        b.Length >= 512 && Encoding.ASCII.GetString(b, 257, 5) == "ustar";
}
