using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Cli.Parsing;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>cp</c> through the archive API: GET/PUT /containers/{id}/archive with docker's path rules
/// (copy into an existing directory, rename onto a missing path, "/." copies a directory's
/// contents, "-" streams a tar on stdin/stdout).
/// </summary>
public static class ContainerCopy
{
    private const uint ModeDir = 1u << 31;
    private const uint ModeSymlink = 1u << 27;

    public static CommandSpec Create(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
        Short = "Copy files and directories into or out of a container",
        Long = "Copy files and directories into or out of a container\n\nA source of '-' reads a tar archive from standard input and unpacks it\ninto a directory of the container.\nA destination of '-' writes the container's files to standard output\nas a tar archive.",
        AliasPaths = ["container cp", "cp"],
        Args = ArgRule.Exactly(2),
        Flags =
        [
            Flag.Bool("a|archive", "Keep the archive's owners (uid/gid)"),
            Flag.Bool("L|follow-link", "Follow a symbolic link at SRC_PATH"),
            Flag.Bool("q|quiet", "Print no progress (never printed when the output is not a terminal)"),
        ],
        Run = RunAsync,
    };

    private static async Task<int> RunAsync(Invocation inv)
    {
        var (srcContainer, srcPath) = Split(inv.Args[0]);
        var (dstContainer, dstPath) = Split(inv.Args[1]);
        if (srcContainer is not null && dstContainer is not null)
        {
            throw new CliException("copying between containers is not supported");
        }

        if (srcContainer is null && dstContainer is null)
        {
            throw new CliException("must specify at least one container source");
        }

        if ((srcContainer ?? dstContainer)!.Length == 0)
        {
            throw new CliException("must specify a container name");
        }

        if (srcContainer is not null)
        {
            await FromContainerAsync(inv, srcContainer, srcPath, dstPath);
        }
        else
        {
            await ToContainerAsync(inv, dstContainer!, srcPath, dstPath);
        }

        return 0;
    }

    private static (string? Container, string Path) Split(string arg)
    {
        // A local path starting with / or . never names a container, even with a colon in it.
        if (arg.StartsWith('/') || arg.StartsWith('.'))
        {
            return (null, arg);
        }

        var colon = arg.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (null, arg) : (arg[..colon], arg[(colon + 1)..]);
    }

    private static async Task<(string Name, uint Mode, string LinkTarget)?> StatAsync(Invocation inv, string container, string path)
    {
        try
        {
            using var r = await inv.Client.SendAsync("HEAD", $"/containers/{container}/archive", new EngineQuery().Add("path", path), null, null, inv.CancellationToken);
            return ParseStat(r.Header("X-Docker-Container-Path-Stat"));
        }
        catch (EngineApiException e) when (e.StatusCode == 404 && !e.Message.Contains("No such container", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    private static (string Name, uint Mode, string LinkTarget)? ParseStat(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        var json = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
        return (Common.Str(json, "name") ?? string.Empty, (uint)Common.Long(json, "mode"), Common.Str(json, "linkTarget") ?? string.Empty);
    }

    private static async Task FromContainerAsync(Invocation inv, string container, string srcPath, string dstPath)
    {
        var path = srcPath;
        if (inv.Flags.Bool("follow-link"))
        {
            var stat = await StatAsync(inv, container, srcPath);
            if (stat is { } s && (s.Mode & ModeSymlink) != 0 && s.LinkTarget.Length > 0)
            {
                path = s.LinkTarget;
            }
        }

        using var response = await inv.Client.SendAsync("GET", $"/containers/{container}/archive", new EngineQuery().Add("path", path), null, null, inv.CancellationToken);
        if (dstPath == "-")
        {
            inv.Context.FlushOut();
            await response.Body.CopyToAsync(inv.Context.StdoutStream, inv.CancellationToken);
            return;
        }

        var srcStat = ParseStat(response.Header("X-Docker-Container-Path-Stat"));
        var srcIsDir = srcStat is { } st && (st.Mode & ModeDir) != 0;
        var srcBase = srcStat?.Name ?? Path.GetFileName(path.TrimEnd('/'));
        var copyContents = srcIsDir && (srcPath.EndsWith("/.", StringComparison.Ordinal) || srcPath == ".");

        var dst = dstPath;
        string root;
        string? rename = null;
        var stripTop = false;
        if (Directory.Exists(dst))
        {
            root = dst;
            stripTop = copyContents;
        }
        else if (File.Exists(dst))
        {
            if (srcIsDir)
            {
                throw new CliException($"cannot copy directory to a file: {dst}");
            }

            root = Path.GetDirectoryName(Path.GetFullPath(dst))!;
            rename = Path.GetFileName(dst);
        }
        else
        {
            if (dst.EndsWith('/') && !srcIsDir)
            {
                throw new CliException($"destination directory \"{dst}\" does not exist");
            }

            var full = Path.GetFullPath(dst.TrimEnd('/'));
            root = Path.GetDirectoryName(full)!;
            if (!Directory.Exists(root))
            {
                throw new CliException($"destination directory \"{root}\" does not exist");
            }

            rename = Path.GetFileName(full);
            if (copyContents)
            {
                Directory.CreateDirectory(full);
                root = full;
                rename = null;
                stripTop = true;
            }
        }

        await ExtractAsync(response.Body, root, srcBase, rename, stripTop, inv.Flags.Bool("archive"), inv.CancellationToken);
    }

    /// <summary>Extracts what GET /archive sent into <paramref name="root"/>, renaming or stripping the top entry as docker cp does; nothing may leave <paramref name="root"/>.</summary>
    internal static Task ExtractAsync(Stream tar, string root, string srcBase, string? rename, bool stripTop, bool keepOwner, CancellationToken cancellationToken) =>
        CopyExtraction.ExtractAsync(tar, root, name => MapName(name, srcBase, rename, stripTop), keepOwner, cancellationToken);

    /// <summary>An archive name (relative, trimmed) as the name under the destination; null to skip it.</summary>
    private static string? MapName(string name, string srcBase, string? rename, bool stripTop)
    {
        if (name.Length == 0)
        {
            return null;
        }

        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var top = slash < 0 ? name : name[..slash];
        var rest = slash < 0 ? string.Empty : name[(slash + 1)..];
        if (stripTop && top == srcBase)
        {
            return rest.Length == 0 ? null : rest;
        }

        if (rename is not null && top == srcBase)
        {
            return rest.Length == 0 ? rename : rename + "/" + rest;
        }

        return name;
    }

    private static async Task ToContainerAsync(Invocation inv, string container, string srcPath, string dstPath)
    {
        var query = new EngineQuery().Add("noOverwriteDirNonDir", "true").AddIf(inv.Flags.Bool("archive"), "copyUIDGID", "true");
        var dstStat = await StatAsync(inv, container, dstPath);
        if (srcPath == "-")
        {
            if (dstStat is not { } ds || (ds.Mode & ModeDir) == 0)
            {
                throw new CliException($"destination \"{container}:{dstPath}\" must be a directory");
            }

            using var r = await inv.Client.SendAsync("PUT", $"/containers/{container}/archive", query.Add("path", dstPath), EngineContent.Tar(inv.Context.StdinStream), null, inv.CancellationToken);
            return;
        }

        var follow = inv.Flags.Bool("follow-link");
        var full = Path.GetFullPath(srcPath);
        FileSystemInfo info = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full);
        if (!info.Exists && info.LinkTarget is null)
        {
            throw new CliException($"lstat {full}: no such file or directory");
        }

        if (follow && info.LinkTarget is not null)
        {
            var resolved = info.ResolveLinkTarget(true);
            if (resolved is not null)
            {
                info = resolved;
            }
        }

        var srcIsDir = info is DirectoryInfo && info.LinkTarget is null;
        var copyContents = srcIsDir && (srcPath.EndsWith("/.", StringComparison.Ordinal) || srcPath == ".");
        string uploadDir;
        string topName;
        if (dstStat is { } stat && (stat.Mode & ModeDir) != 0)
        {
            uploadDir = dstPath;
            topName = copyContents ? string.Empty : Path.GetFileName(full.TrimEnd('/'));
        }
        else if (dstStat is not null)
        {
            if (srcIsDir)
            {
                throw new CliException($"cannot copy directory to a file: {dstPath}");
            }

            uploadDir = ParentOf(dstPath);
            topName = BaseOf(dstPath);
        }
        else
        {
            if (dstPath.EndsWith('/'))
            {
                throw new CliException($"destination \"{container}:{dstPath}\" does not exist");
            }

            uploadDir = ParentOf(dstPath);
            topName = BaseOf(dstPath);
        }

        var pipe = new System.IO.Pipelines.Pipe();
        var writeTask = Task.Run(async () =>
        {
            try
            {
                await using var stream = pipe.Writer.AsStream();
                await using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
                {
                    await WriteTreeAsync(writer, info, topName, follow, inv.CancellationToken);
                }

                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
            }
        });
        using (var r = await inv.Client.SendAsync("PUT", $"/containers/{container}/archive", query.Add("path", uploadDir), EngineContent.Tar(pipe.Reader.AsStream()), null, inv.CancellationToken))
        {
        }

        await writeTask;
    }

    private static async Task WriteTreeAsync(TarWriter writer, FileSystemInfo info, string name, bool followTop, CancellationToken cancellationToken)
    {
        if (info is DirectoryInfo dir && dir.LinkTarget is null)
        {
            if (name.Length > 0)
            {
                await writer.WriteEntryAsync(MakeEntry(TarEntryType.Directory, name + "/", dir), cancellationToken);
            }

            foreach (var child in dir.EnumerateFileSystemInfos().OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                var childName = name.Length == 0 ? child.Name : name + "/" + child.Name;
                await WriteTreeAsync(writer, child is DirectoryInfo d && d.LinkTarget is null ? d : child, childName, false, cancellationToken);
            }

            return;
        }

        if (info.LinkTarget is not null && !followTop)
        {
            var link = MakeEntry(TarEntryType.SymbolicLink, name, info);
            link.LinkName = info.LinkTarget;
            await writer.WriteEntryAsync(link, cancellationToken);
            return;
        }

        var entry = MakeEntry(TarEntryType.RegularFile, name, info);
        await using var data = File.OpenRead(info.FullName);
        entry.DataStream = data;
        await writer.WriteEntryAsync(entry, cancellationToken);
    }

    private static PaxTarEntry MakeEntry(TarEntryType type, string name, FileSystemInfo info)
    {
        var entry = new PaxTarEntry(type, name)
        {
            Mode = (UnixFileMode)((int)info.UnixFileMode & 0xFFF),
            ModificationTime = info.LastWriteTimeUtc,
        };
        var (uid, gid) = Terminal.Posix.Owner(info.FullName);
        entry.Uid = uid;
        entry.Gid = gid;
        return entry;
    }

    private static string ParentOf(string path)
    {
        var p = path.TrimEnd('/');
        var slash = p.LastIndexOf('/');
        return slash <= 0 ? "/" : p[..slash];
    }

    private static string BaseOf(string path)
    {
        var p = path.TrimEnd('/');
        var slash = p.LastIndexOf('/');
        return slash < 0 ? p : p[(slash + 1)..];
    }
}
