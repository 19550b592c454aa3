using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Berth.Core.Errors;
using Berth.Platform.Cgroups;
using Berth.Platform.Isolation;
using Berth.Platform.Mounts;
using Berth.Platform.Native;
using Berth.Platform.Processes;
using Berth.Runtime.Logging;
using Berth.Runtime.Monitor;
using Berth.Runtime.Oci;

namespace Berth.Runtime;

/// <summary>
/// The real <see cref="IContainerRuntime"/>: writes OCI bundles under the exec-root, starts each
/// container through its own berth-shim monitor (which runs `runc run -d` and then owns stdio,
/// logs and the exit status), and talks to runc for pause/update/delete.
/// Layout: &lt;exec-root&gt;/containers/&lt;id&gt;/ (config.json, rootfs, monitor.conf, exit …),
/// &lt;exec-root&gt;/m/ (monitor sockets), &lt;exec-root&gt;/runtime/&lt;name&gt;/ (runc --root).
/// </summary>
public sealed class RuncRuntime : IContainerRuntime, IDisposable
{
    /// <summary>How long a restarted berthd waits for a monitor still inside runc run (a start takes well under a second; runc's own guards end it sooner).</summary>
    private static readonly TimeSpan StartingMonitorLimit = TimeSpan.FromMinutes(2);

    /// <summary>The outcome shows as a socket or the lock's release; neither can be waited on together with the other.</summary>
    private static readonly TimeSpan StartingMonitorPoll = TimeSpan.FromMilliseconds(50);

    private readonly RuntimeOptions _options;
    private readonly OciSpecBuilder _specBuilder;
    private readonly ConcurrentDictionary<string, ContainerHandle> _handles = new(StringComparer.Ordinal);
    private readonly string _containersRoot;
    private readonly string _socketDir;
    private readonly CgroupLockWarmer _cgroupWarmer = new();
    private readonly ShimLauncher _shims = new();

    public RuncRuntime(RuntimeOptions options, OciSpecBuilder? specBuilder = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _specBuilder = specBuilder ?? new OciSpecBuilder(options.InitPath, seccompDefault: options.SeccompDefault);
        _containersRoot = Path.Combine(options.ExecRoot, "containers");
        _socketDir = Path.Combine(options.ExecRoot, "m");
        // Bundles hold the containers' environments; the monitor sockets serve attach and logs.
        Berth.Platform.Files.StateDirectory.Ensure(_containersRoot, Berth.Platform.Files.StateDirectory.Private);
        Berth.Platform.Files.StateDirectory.Ensure(_socketDir, Berth.Platform.Files.StateDirectory.Private);

        // Unix socket paths are limited to 107 bytes; a 64-hex id plus ".c" must fit.
        var longest = System.Text.Encoding.UTF8.GetByteCount(Path.Combine(_socketDir, new string('0', 64)) + ".c");
        if (longest > 107)
        {
            throw new ArgumentException($"exec-root {options.ExecRoot} is too long for monitor sockets ({longest} > 107 bytes)", nameof(options));
        }
    }

    /// <summary>The spare monitor waiting for the next start or exec, if any (see ShimLauncher).</summary>
    internal int? SpareMonitorPid => _shims.SparePid;

    /// <summary>Ends the spare monitor, if one is waiting; running containers keep theirs.</summary>
    public void Dispose() => _shims.Dispose();

    public async Task<RuntimeStarted> StartAsync(ContainerLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ValidateId(launch.Id);

        // From here until the monitor reports the container started (runc has moved its init
        // into the cgroups by then): see CgroupLockWarmer.
        using var warm = _cgroupWarmer.Hold();
        var runtimeName = launch.Runtime.Length > 0 ? launch.Runtime : _options.DefaultRuntime;
        var runtimePath = RuntimePath(runtimeName);
        var logSettings = LogDriver.Resolve(launch.LogDriver, launch.LogOptions);
        var shim = _options.ResolveShimPath();
        if (!File.Exists(shim))
        {
            throw new BerthException(ErrorKind.Unavailable, $"container monitor not found at {shim} (set BERTH_SHIM or install berth-shim next to berthd)");
        }

        var stateDir = Path.Combine(_containersRoot, launch.Id);
        if (_handles.TryGetValue(launch.Id, out var existing) && !existing.ExitTask.IsCompleted)
        {
            throw BerthException.Conflict($"container {launch.Id} is already running");
        }

        await DeleteAsync(launch.Id, cancellationToken).ConfigureAwait(false);
        var rootfs = Path.Combine(stateDir, "rootfs");
        Directory.CreateDirectory(rootfs);
        var mounted = false;
        try
        {
            Mounter.MountOverlay(launch.Rootfs.LowerDirs, launch.Rootfs.UpperDir, launch.Rootfs.WorkDir, rootfs);
            mounted = true;

            var passwd = UserResolver.ReadRootFile(rootfs, "/etc/passwd");
            var group = UserResolver.ReadRootFile(rootfs, "/etc/group");
            if (launch.CgroupPath.Length == 0)
            {
                launch = launch with { CgroupPath = $"{_options.CgroupParent.TrimEnd('/')}/{launch.Id}" };
            }

            var spec = _specBuilder.Build(launch, passwd, group);
            WriteAtomically(Path.Combine(stateDir, "config.json"), JsonSerializer.SerializeToUtf8Bytes(spec, OciJsonContext.Default.OciSpec));

            if (logSettings.Driver == LogDriver.Local)
            {
                // local-logs, 0700 as dockerd makes it (json-file's log lives in the container's directory).
                Berth.Platform.Files.StateDirectory.Ensure(Path.GetDirectoryName(Path.GetFullPath(launch.LogPath))!, Berth.Platform.Files.StateDirectory.Private);
            }
            else if (logSettings.Driver.Format is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(launch.LogPath))!);
            }

            var config = new MonitorConfig
            {
                Version = MonitorConfig.VersionFor(logSettings),
                Id = launch.Id,
                RuntimePath = runtimePath,
                RuntimeRoot = RuntimeRoot(runtimeName),
                StateDir = stateDir,
                SocketPath = SocketPath(launch.Id),
                LogDriver = logSettings.Driver.Name,
                LogPath = launch.LogPath,
                LogMaxSize = logSettings.Rotation.MaxSize,
                LogMaxFiles = logSettings.Rotation.MaxFiles,
                LogCompress = logSettings.Rotation.Compress,
                LogNonBlocking = logSettings.Mode == LogMode.NonBlocking,
                LogMaxBufferSize = logSettings.MaxBufferSize,
                Tty = launch.Process.Tty,
                OpenStdin = launch.Process.OpenStdin,
                CgroupPath = launch.CgroupPath,
            };
            WriteAtomically(Path.Combine(stateDir, MonitorConfig.FileName), System.Text.Encoding.UTF8.GetBytes(config.Format()));

            var (child, status) = StartMonitor(shim, ["run", stateDir], Path.Combine(stateDir, "monitor.log"));
            using (status)
            {
                var line = await status.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is not null && line.StartsWith("P ", StringComparison.Ordinal)
                    && int.TryParse(line.AsSpan(2), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
                {
                    _handles[launch.Id] = new ContainerHandle(launch.Id, stateDir, config, child, _options.Warn);
                    return new RuntimeStarted(pid, DateTimeOffset.UtcNow);
                }

                await child.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                if (line is not null && line.StartsWith("E ", StringComparison.Ordinal))
                {
                    throw StartErrors.ForCreate(runtimeName, line[2..]);
                }

                var log = TryReadText(Path.Combine(stateDir, "monitor.log"))?.Trim();
                throw new BerthException(ErrorKind.Internal, $"container monitor exited without starting the container: {log}");
            }
        }
        catch
        {
            await CleanupFailedStartAsync(launch.Id, runtimeName, stateDir, mounted).ConfigureAwait(false);
            throw;
        }
    }

    public Task<RuntimeStatus?> GetStatusAsync(string id, CancellationToken cancellationToken)
    {
        var handle = TryGetHandle(id);
        if (handle is null)
        {
            return Task.FromResult<RuntimeStatus?>(null);
        }

        if (handle.ReadExitRecord() is not null)
        {
            return Task.FromResult<RuntimeStatus?>(new RuntimeStatus(RuntimeState.Stopped, 0));
        }

        var pid = handle.ReadInitPid();
        if (pid == 0)
        {
            return Task.FromResult<RuntimeStatus?>(new RuntimeStatus(RuntimeState.Created, 0));
        }

        if (!Subreaper.IsAlive(pid))
        {
            return Task.FromResult<RuntimeStatus?>(new RuntimeStatus(RuntimeState.Stopped, 0));
        }

        var frozen = handle.Config.CgroupPath.Length > 0 && new Cgroup(handle.Config.CgroupPath).IsFrozen();
        return Task.FromResult<RuntimeStatus?>(new RuntimeStatus(frozen ? RuntimeState.Paused : RuntimeState.Running, pid));
    }

    public Task<RuntimeExit> WaitAsync(string id, CancellationToken cancellationToken) =>
        RequireHandle(id).ExitTask.WaitAsync(cancellationToken);

    public Task KillAsync(string id, int signal, CancellationToken cancellationToken)
    {
        var handle = RequireHandle(id);
        var pid = handle.ReadInitPid();
        if (pid == 0 || handle.ExitTask.IsCompleted
            || !PidFd.Signal(pid, signal, () => !File.Exists(handle.ExitFile)))
        {
            throw BerthException.Conflict($"Container {id} is not running");
        }

        // A frozen process cannot act on SIGKILL; thaw it so the kill takes effect (as Docker does).
        if (signal == 9 && handle.Config.CgroupPath.Length > 0 && new Cgroup(handle.Config.CgroupPath).IsFrozen())
        {
            return RuncAsync(handle, ["resume", id], null, cancellationToken);
        }

        return Task.CompletedTask;
    }

    public async Task PauseAsync(string id, CancellationToken cancellationToken)
    {
        var handle = RequireRunning(id);
        await RuncAsync(handle, ["pause", id], null, cancellationToken).ConfigureAwait(false);
    }

    public async Task ResumeAsync(string id, CancellationToken cancellationToken)
    {
        var handle = RequireRunning(id);
        await RuncAsync(handle, ["resume", id], null, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        ValidateId(id);
        var stateDir = Path.Combine(_containersRoot, id);
        var handle = TryGetHandle(id);
        if (handle is not null)
        {
            var runtimeName = _options.Runtimes.FirstOrDefault(kv => kv.Value == handle.Config.RuntimePath).Key ?? _options.DefaultRuntime;
            if (Directory.Exists(Path.Combine(handle.Config.RuntimeRoot, id)))
            {
                // --force also kills a process that is still running.
                var result = await ProcessRunner.RunAsync(
                    handle.Config.RuntimePath,
                    ["--root", handle.Config.RuntimeRoot, "delete", "--force", id],
                    timeout: TimeSpan.FromSeconds(30),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded && Directory.Exists(Path.Combine(handle.Config.RuntimeRoot, id)))
                {
                    throw new BerthException(ErrorKind.Internal, $"{runtimeName} delete {id}: {result.Stderr.Trim()}");
                }
            }

            if (!handle.ExitTask.IsCompleted)
            {
                // The monitor records the exit of the killed process; wait for it briefly.
                _ = await Task.WhenAny(handle.ExitTask, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)).ConfigureAwait(false);
            }
        }

        _handles.TryRemove(id, out _);
        RemoveStateDir(id, stateDir);
    }

    public async Task UpdateAsync(string id, ContainerResources resources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var handle = RequireRunning(id);
        var oci = OciSpecBuilder.BuildResourcesForUpdate(resources);
        var json = JsonSerializer.Serialize(oci, OciJsonContext.Default.OciResources);
        await RuncAsync(handle, ["update", "--resources", "-", id], json, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<int>> ListPidsAsync(string id, CancellationToken cancellationToken)
    {
        var handle = RequireHandle(id);
        if (handle.ExitTask.IsCompleted || handle.Config.CgroupPath.Length == 0)
        {
            return Task.FromResult<IReadOnlyList<int>>([]);
        }

        return Task.FromResult(new Cgroup(handle.Config.CgroupPath).ReadPids());
    }

    public Task<ContainerStatsSample> GetStatsAsync(string id, CancellationToken cancellationToken)
    {
        var handle = RequireHandle(id);
        var cgroup = new Cgroup(handle.Config.CgroupPath);
        var stats = cgroup.ReadStats();
        var pid = handle.ReadInitPid();
        IReadOnlyDictionary<string, (ulong, ulong, ulong, ulong)> networks = new Dictionary<string, (ulong, ulong, ulong, ulong)>();
        if (pid > 0)
        {
            var netDev = TryReadText($"/proc/{pid}/net/dev");
            if (netDev is not null)
            {
                networks = HostCpu.ParseNetDev(netDev);
            }
        }

        var sample = new ContainerStatsSample
        {
            Read = DateTimeOffset.UtcNow,
            CpuTotalNanos = stats.CpuTotalNanos,
            CpuUserNanos = stats.CpuUserNanos,
            CpuSystemNanos = stats.CpuSystemNanos,
            PerCpuNanos = stats.PerCpuNanos,
            SystemCpuNanos = HostCpu.ReadSystemCpuNanos(),
            OnlineCpus = stats.PerCpuNanos.Count > 0 ? stats.PerCpuNanos.Count(n => n > 0) is var c and > 0 ? c : Environment.ProcessorCount : Environment.ProcessorCount,
            MemoryUsage = stats.MemoryUsage,
            MemoryLimit = stats.MemoryLimit,
            MemoryMaxUsage = stats.MemoryMaxUsage,
            MemoryStats = stats.MemoryStats,
            PidsCurrent = stats.PidsCurrent,
            PidsLimit = stats.PidsLimit,
            BlkioReadBytes = stats.BlkioReadBytes,
            BlkioWriteBytes = stats.BlkioWriteBytes,
            Networks = networks,
        };
        return Task.FromResult(sample);
    }

    public async Task<IAttachment> AttachAsync(string id, CancellationToken cancellationToken)
    {
        var handle = RequireRunning(id);
        try
        {
            return await MonitorAttachment.ConnectAsync(handle.Config.SocketPath, MonitorProtocol.ModeAttach, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException)
        {
            throw BerthException.Conflict($"Container {id} is not running");
        }
    }

    public Task ResizeAsync(string id, int height, int width, CancellationToken cancellationToken)
    {
        var handle = RequireRunning(id);
        if (!handle.Config.Tty)
        {
            throw BerthException.Conflict($"Container {id} does not have a TTY");
        }

        return handle.SendResizeAsync(height, width, cancellationToken);
    }

    public async Task<IExecSession> ExecAsync(string id, ExecLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var handle = RequireRunning(id);
        var spec = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(Path.Combine(handle.StateDir, "config.json"), cancellationToken).ConfigureAwait(false), OciJsonContext.Default.OciSpec)
            ?? throw new BerthException(ErrorKind.Internal, $"container {id} has no OCI config");
        var rootfs = Path.Combine(handle.StateDir, "rootfs");
        string? passwd = null, group = null;
        if (launch.User.Length > 0)
        {
            passwd = UserResolver.ReadRootFile(rootfs, "/etc/passwd");
            group = UserResolver.ReadRootFile(rootfs, "/etc/group");
        }

        var process = OciSpecBuilder.BuildExecProcess(spec, launch, passwd, group);
        var execId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var prefix = Path.Combine(_socketDir, "x" + execId);
        var processJson = prefix + ".json";
        // The process spec carries the exec's environment: owner-only, like the bundle. It lives
        // only until the monitor has read it, so it is not fsync'd (an exec does not survive a crash).
        await using (var processFile = new FileStream(processJson, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Berth.Platform.Files.AtomicFile.PrivateMode }))
        {
            await processFile.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(process, OciJsonContext.Default.OciProcess), cancellationToken).ConfigureAwait(false);
        }

        var toClose = new List<int>();
        int stdinOurs = -1, stdoutOurs, stderrOurs = -1, statusOurs, controlOurs;
        int childIn, childOut, childErr, childStatus, childControl;
        var devNull = Fd.OpenDevNull();
        toClose.Add(devNull);
        if (launch.AttachStdin)
        {
            (childIn, stdinOurs) = Fd.Pipe();
            toClose.Add(childIn);
        }
        else
        {
            childIn = devNull;
        }

        (stdoutOurs, childOut) = Fd.Pipe();
        toClose.Add(childOut);
        if (launch.Tty)
        {
            childErr = devNull;
        }
        else
        {
            (stderrOurs, childErr) = Fd.Pipe();
            toClose.Add(childErr);
        }

        (statusOurs, childStatus) = Fd.Pipe();
        toClose.Add(childStatus);
        (childControl, controlOurs) = Fd.Pipe();
        toClose.Add(childControl);

        ChildProcess monitor;
        try
        {
            monitor = _shims.Start(
                _options.ResolveShimPath(),
                [
                    "exec", handle.Config.RuntimePath, handle.Config.RuntimeRoot, id, processJson, prefix, launch.Tty ? "1" : "0",
                    handle.ReadInitPid().ToString(CultureInfo.InvariantCulture), handle.StateDir,
                    NamespaceExec.ViaRuntimeRequested ? "via-runtime" : "direct",
                ],
                [childIn, childOut, childErr, childStatus, childControl]);
        }
        catch
        {
            foreach (var fd in new[] { stdinOurs, stdoutOurs, stderrOurs, statusOurs, controlOurs })
            {
                Fd.Close(fd);
            }

            throw;
        }
        finally
        {
            foreach (var fd in toClose)
            {
                Fd.Close(fd);
            }
        }

        var status = new StatusReader(statusOurs);
        var line = await status.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (line is not null && line.StartsWith("P ", StringComparison.Ordinal)
            && int.TryParse(line.AsSpan(2), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
        {
            return new ExecSession(monitor, pid, stdinOurs, stdoutOurs, stderrOurs, status, controlOurs);
        }

        status.Dispose();
        foreach (var fd in new[] { stdinOurs, stdoutOurs, stderrOurs, controlOurs })
        {
            Fd.Close(fd);
        }

        await monitor.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        if (line is not null && line.StartsWith("E ", StringComparison.Ordinal))
        {
            throw StartErrors.ForExec(line[2..]);
        }

        throw new BerthException(ErrorKind.Internal, "exec monitor exited without starting the process");
    }

    public async IAsyncEnumerable<LogEntry> ReadLogsAsync(string id, LogReadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateId(id);
        var handle = TryGetHandle(id);
        var driver = LogDriver.Find(options.Driver ?? handle?.Config.LogDriver ?? "json-file");
        if (driver?.Format is not { } format)
        {
            throw BerthException.Invalid("configured logging driver does not support reading");
        }

        var path = handle?.Config.LogPath is { Length: > 0 } p ? p : driver.LogPath(Path.Combine(_options.ContainersDir, id), id);
        Task stopped = handle is null ? Task.CompletedTask : handle.ExitTask;
        await foreach (var entry in LogFileReader.ReadAsync(path, format, options, stopped, cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    public async Task<IReadOnlyList<string>> RecoverAsync(CancellationToken cancellationToken)
    {
        var result = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories(_containersRoot))
        {
            var id = Path.GetFileName(dir);
            ContainerHandle? handle;
            try
            {
                handle = TryGetHandle(id);
            }
            catch (BerthException e) when (e.Kind == ErrorKind.Conflict)
            {
                // A monitor of a newer version: not re-attached (berthd cannot speak to it), not
                // removed (its container may still run). The container is reported stopped, and
                // everything done to it is refused with this message.
                _options.Warn?.Invoke(e.Message);
                continue;
            }

            if (handle is null)
            {
                RemoveStateDir(id, dir);
                continue;
            }

            if (handle.ReadExitRecord() is not null)
            {
                result.Add(id);
                continue;
            }

            if (await CanConnectAsync(handle.Config.SocketPath, cancellationToken).ConfigureAwait(false))
            {
                result.Add(id);
                _ = handle.ExitTask;
                continue;
            }

            if (MonitorLock.IsHeld(dir) && await WaitForStartingMonitorAsync(id, handle, dir, cancellationToken).ConfigureAwait(false))
            {
                result.Add(id);
                _ = handle.ExitTask;
                continue;
            }

            // No monitor and no exit record: a start that died half-way, or a monitor that was
            // killed. Nothing can report on this container any more; clean it up.
            await DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// A monitor that lives (it holds its lock) but has no socket yet: the previous berthd died
    /// while this monitor was still starting the container, inside <c>runc run</c>. Deleting now
    /// would race the runtime and leave a process nobody monitors; its outcome decides instead.
    /// True when it started the container (its socket answers, or the container already ran and
    /// left its exit record); false when it ended without (runc failed) or is still not done
    /// after the runtime's own start limit, and the caller cleans up.
    /// </summary>
    private async Task<bool> WaitForStartingMonitorAsync(string id, ContainerHandle handle, string dir, CancellationToken cancellationToken)
    {
        _options.Warn?.Invoke($"container {id}: its monitor is still starting it; waiting for the outcome");
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < StartingMonitorLimit)
        {
            if (handle.ReadExitRecord() is not null || await CanConnectAsync(handle.Config.SocketPath, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            if (!MonitorLock.IsHeld(dir))
            {
                // Ended: it may have started the container, seen it exit and recorded that.
                return handle.ReadExitRecord() is not null;
            }

            await Task.Delay(StartingMonitorPoll, cancellationToken).ConfigureAwait(false);
        }

        _options.Warn?.Invoke($"container {id}: its monitor did not finish starting it in {StartingMonitorLimit.TotalSeconds} s; removing it");
        return false;
    }

    /// <summary>Loads the handle of a container from its state directory (after a daemon restart).</summary>
    private ContainerHandle? TryGetHandle(string id)
    {
        if (_handles.TryGetValue(id, out var handle))
        {
            return handle;
        }

        ValidateId(id);
        var dir = Path.Combine(_containersRoot, id);
        var text = TryReadText(Path.Combine(dir, MonitorConfig.FileName));
        if (text is null)
        {
            return null;
        }

        MonitorConfig config;
        try
        {
            config = MonitorConfig.Parse(text);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
        catch (MonitorVersionException e)
        {
            // Refused, and left alone: its processes and state belong to the berth that started it.
            throw new BerthException(ErrorKind.Conflict, e.Message);
        }

        return _handles.GetOrAdd(id, _ => new ContainerHandle(id, dir, config, monitor: null, _options.Warn));
    }

    private ContainerHandle RequireHandle(string id) =>
        TryGetHandle(id) ?? throw BerthException.NotFound($"No such container: {id}");

    private ContainerHandle RequireRunning(string id)
    {
        var handle = RequireHandle(id);
        if (handle.ExitTask.IsCompleted || File.Exists(handle.ExitFile))
        {
            throw BerthException.Conflict($"Container {id} is not running");
        }

        return handle;
    }

    private async Task RuncAsync(ContainerHandle handle, IReadOnlyList<string> args, string? stdin, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(
            handle.Config.RuntimePath,
            ["--root", handle.Config.RuntimeRoot, .. args],
            stdin,
            TimeSpan.FromSeconds(30),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var message = result.Stderr.Trim();
            throw new BerthException(ErrorKind.Internal, message.Length > 0 ? message : $"{Path.GetFileName(handle.Config.RuntimePath)} {args[0]} failed with status {result.ExitCode}");
        }
    }

    private (ChildProcess Child, StatusReader Status) StartMonitor(string shim, IReadOnlyList<string> args, string logPath)
    {
        var (statusRead, statusWrite) = Fd.Pipe();
        var devNull = -1;
        var log = -1;
        try
        {
            devNull = Fd.OpenDevNull();
            log = Fd.OpenFile(logPath, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND);
            var child = _shims.Start(shim, args, [devNull, statusWrite, log]);
            return (child, new StatusReader(statusRead));
        }
        catch
        {
            Fd.Close(statusRead);
            throw;
        }
        finally
        {
            Fd.Close(statusWrite);
            Fd.Close(devNull);
            Fd.Close(log);
        }
    }

    private async Task CleanupFailedStartAsync(string id, string runtimeName, string stateDir, bool mounted)
    {
        _handles.TryRemove(id, out _);
        var runtimeRoot = RuntimeRoot(runtimeName);
        if (Directory.Exists(Path.Combine(runtimeRoot, id)) && _options.Runtimes.TryGetValue(runtimeName, out var path))
        {
            _ = await ProcessRunner.RunAsync(path, ["--root", runtimeRoot, "delete", "--force", id], timeout: TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        if (mounted)
        {
            Mounter.Unmount(Path.Combine(stateDir, "rootfs"));
        }

        RemoveStateDir(id, stateDir);
    }

    private void RemoveStateDir(string id, string stateDir)
    {
        var rootfs = Path.Combine(stateDir, "rootfs");
        if (Directory.Exists(rootfs))
        {
            Mounter.Unmount(rootfs);
        }

        foreach (var f in new[] { SocketPath(id), SocketPath(id) + ".c" })
        {
            TryDelete(f);
        }

        if (Directory.Exists(stateDir))
        {
            // Never recurse into a rootfs that is still mounted: that would delete the image's files.
            if (Directory.Exists(rootfs) && Mounter.IsMountPoint(rootfs))
            {
                throw new BerthException(ErrorKind.Internal, $"rootfs of {id} is still mounted at {rootfs}");
            }

            Directory.Delete(stateDir, recursive: true);
        }
    }

    private string RuntimePath(string name)
    {
        if (!_options.Runtimes.TryGetValue(name, out var path))
        {
            throw BerthException.Invalid($"unknown or invalid runtime name: {name}");
        }

        if (!File.Exists(path))
        {
            throw BerthException.Invalid($"failed to create shim task: OCI runtime {name} not found: {path}: no such file or directory: unknown");
        }

        return path;
    }

    private string RuntimeRoot(string runtimeName) => Path.Combine(_options.ExecRoot, "runtime", runtimeName);

    private string SocketPath(string id) => Path.Combine(_socketDir, id);

    private static async Task<bool> CanConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }

        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static void ValidateId(string id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 128 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')) || id[0] == '.')
        {
            throw BerthException.Invalid($"invalid container id: {id}");
        }
    }

    /// <summary>Bundles and monitor configs describe processes: atomic, not fsync'd (they do not outlive the machine).</summary>
    private static void WriteAtomically(string path, byte[] content) => Berth.Platform.Files.AtomicFile.WriteRuntimeState(path, content);

    private static string? TryReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
