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
        Short = "Build an image from a Dockerfile and a context",
        AliasPaths = ["image build", "build", "builder build"],
        Args = ArgRule.Exactly(1),
        Flags =
        [
            Flag.List("add-host", "Add a line to /etc/hosts (\"host:ip\")"),
            Flag.List("build-arg", "Value of an ARG for this build"),
            Flag.List("cache-from", "Images whose layers may serve as build cache", "strings"),
            Flag.String("cgroup-parent", "Cgroup of the \"RUN\" steps"),
            Flag.NotImplemented(Flag.Bool("compress", "Send the build context gzip-compressed")),
            Flag.Int("cpu-period", "CFS scheduler period, in microseconds"),
            Flag.Int("cpu-quota", "CFS scheduler quota per period, in microseconds"),
            Flag.Int("c|cpu-shares", "Relative CPU weight"),
            Flag.String("cpuset-cpus", "CPUs the container may run on (0-3, 0,1)"),
            Flag.String("cpuset-mems", "Memory nodes the container may use (0-3, 0,1)"),
            Flag.Bool("disable-content-trust", "Do not check image signatures", "true"),
            Flag.String("f|file", "Dockerfile to use (default \"PATH/Dockerfile\")"),
            Flag.Bool("force-rm", "Delete intermediate containers even after a failed build"),
            Flag.String("iidfile", "Write the image's ID to this file"),
            Flag.String("isolation", "Isolation technology (only \"default\" on Linux)"),
            Flag.List("label", "Label for the image"),
            Flag.Bytes("m|memory", "Most memory the container may use"),
            Flag.Bytes("memory-swap", "Memory plus swap limit (-1 for unlimited swap)"),
            Flag.String("network", "Network of the RUN steps", "default"),
            Flag.Bool("no-cache", "Run every step, reusing no cached result"),
            Flag.String("platform", "Platform to use (os[/arch[/variant]])"),
            Flag.Bool("pull", "Pull the base images even when they are present"),
            Flag.Bool("q|quiet", "Print only the new image's ID"),
            Flag.Bool("rm", "Delete intermediate containers when the build succeeds", "true"),
            Flag.List("security-opt", "Security options (seccomp=, no-new-privileges, ...)", "strings"),
            Flag.Bytes("shm-size", "Size of the build's \"/dev/shm\""),
            Flag.Bool("squash", "Merge the new layers into one"),
            Flag.List("t|tag", "Name for the image, with an optional tag (\"name:tag\")"),
            Flag.String("target", "Stage to build up to"),
            Flag.List("ulimit", "Resource limit (name=soft[:hard])", "ulimit", "[]"),
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
