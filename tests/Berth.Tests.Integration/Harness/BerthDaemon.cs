using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace Berth.Tests.Integration.Harness;

/// <summary>
/// A real berthd for one test class: its own network namespace, data-root, exec-root, socket and
/// cgroup parent, so test classes (and other engines on the machine) never see each other.
/// Started with nsenter (not `ip netns exec`, which hides /sys/fs/cgroup).
/// </summary>
public sealed class BerthDaemon : IAsyncDisposable
{
    private static int _counter;
    private Process? _process;
    private readonly List<string> _log = [];

    private BerthDaemon(string name)
    {
        Name = name;
        Netns = name;
        Dir = Path.Combine("/tmp", name);
        DataRoot = Path.Combine(Dir, "data");
        ExecRoot = Path.Combine("/run", name);
        SocketPath = $"/run/{name}.sock";
    }

    public string Name { get; }

    public string Netns { get; }

    public string Dir { get; }

    public string DataRoot { get; }

    public string ExecRoot { get; }

    public string SocketPath { get; }

    public string DockerHost => $"unix://{SocketPath}";

    public int Pid => _process?.Id ?? 0;

    /// <summary>The daemon's exit code once it has exited (after StopAsync or KillAsync).</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Environment variables for the next (re)start of berthd, e.g. a fault-injection point.</summary>
    public Dictionary<string, string> ExtraEnvironment { get; } = new(StringComparer.Ordinal);

    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>Starts a daemon named "bit-&lt;prefix&gt;-&lt;n&gt;-&lt;pid&gt;"; extra daemon flags may be given.</summary>
    public static Task<BerthDaemon> StartAsync(string prefix, params string[] extraArgs) =>
        StartAsync(prefix, new Dictionary<string, string>(), null, extraArgs);

    /// <summary>As <see cref="StartAsync(string, string[])"/>, with variables added to berthd's environment.</summary>
    public static Task<BerthDaemon> StartAsync(string prefix, IReadOnlyDictionary<string, string> environment, params string[] extraArgs) =>
        StartAsync(prefix, environment, null, extraArgs);

    /// <summary>As above; <paramref name="prepare"/> runs once the roots exist, before berthd starts (to mount a file system there).</summary>
    public static Task<BerthDaemon> StartAsync(string prefix, Func<BerthDaemon, Task>? prepare, params string[] extraArgs) =>
        StartAsync(prefix, new Dictionary<string, string>(), prepare, extraArgs);

    /// <summary>The general form: extra environment for berthd and a hook run before it starts.</summary>
    public static async Task<BerthDaemon> StartAsync(string prefix, IReadOnlyDictionary<string, string> environment, Func<BerthDaemon, Task>? prepare, params string[] extraArgs)
    {
        var name = $"bit-{prefix}-{Interlocked.Increment(ref _counter)}-{System.Environment.ProcessId}";
        var d = new BerthDaemon(name);
        foreach (var (key, value) in environment)
        {
            d.Environment[key] = value;
        }

        await Shell.RunAsync("ip", ["netns", "delete", name]);
        await Shell.CheckAsync("ip", "netns", "add", name);
        await Shell.CheckAsync("ip", "-n", name, "link", "set", "lo", "up");
        Directory.CreateDirectory(d.DataRoot);
        Directory.CreateDirectory(d.ExecRoot);
        if (prepare is not null)
        {
            await prepare(d);
        }

        await d.LaunchAsync(extraArgs);
        return d;
    }

    private async Task LaunchAsync(string[] extraArgs)
    {
        var psi = new ProcessStartInfo("nsenter")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in Environment)
        {
            psi.Environment[key] = value;
        }

        foreach (var a in new[] { $"--net=/run/netns/{Netns}", "--", RepoPaths.Daemon, "-H", DockerHost, "--data-root", DataRoot, "--exec-root", ExecRoot, "--cgroup-parent", $"/{Name}", "--log-level", "debug" }.Concat(extraArgs))
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in ExtraEnvironment)
        {
            psi.Environment[key] = value;
        }

        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        Http = CreateHttpClient(SocketPath);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var r = await Http.GetAsync("/_ping");
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"berthd did not come up (exited: {_process.HasExited}):\n{Log}");
            }

            await Task.Delay(50);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Add(line);
        }
    }

    public static HttpClient CreateHttpClient(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://berth"), Timeout = TimeSpan.FromMinutes(5) };
    }

    /// <summary>Runs the real docker CLI against this daemon.</summary>
    public Task<CommandResult> DockerAsync(params string[] args) => CliAsync(RepoPaths.DockerCli, args);

    /// <summary>Runs the docker CLI, asserts it succeeded (showing its output and the daemon's log if not) and returns its stdout without the last newline.</summary>
    public async Task<string> DockerOkAsync(params string[] args)
    {
        var r = await DockerAsync(args);
        Xunit.Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{Log}");
        return r.Out;
    }

    public Task<CommandResult> DockerWithInputAsync(string stdin, params string[] args) =>
        Shell.RunAsync(RepoPaths.DockerCli, args, new Dictionary<string, string> { ["DOCKER_HOST"] = DockerHost }, stdin);

    /// <summary>Runs berth (the project's CLI) against this daemon.</summary>
    public Task<CommandResult> BerthAsync(params string[] args) => CliAsync(RepoPaths.Cli, args);

    private Task<CommandResult> CliAsync(string cli, string[] args) =>
        Shell.RunAsync(cli, args, new Dictionary<string, string> { ["DOCKER_HOST"] = DockerHost, ["BERTH_HOST"] = DockerHost });

    /// <summary>Loads busybox:latest (built by scripts/busybox-image.sh) through the API.</summary>
    public async Task LoadBusyboxAsync()
    {
        var archive = await BusyboxArchive.PathAsync();
        await using var f = File.OpenRead(archive);
        using var content = new StreamContent(f);
        content.Headers.ContentType = new("application/x-tar");
        using var r = await Http.PostAsync("/v1.50/images/load?quiet=1", content);
        var body = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode || body.Contains("\"error", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"loading busybox failed: {(int)r.StatusCode} {body}");
        }
    }

    /// <summary>Extra environment for berthd from its next (re)start on (e.g. a fault-injection point); StartAsync's prepare may set it too.</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>Waits for a daemon that is expected to end by itself (a fault-injection point); its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process!.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return _process.ExitCode;
    }

    /// <summary>SIGKILL the daemon (crash test); containers and monitors are left as they are.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Starts the daemon again on the same roots (after KillAsync or StopAsync).</summary>
    public async Task RestartAsync(params string[] extraArgs)
    {
        await StopAsync();
        Http.Dispose();
        await LaunchAsync(extraArgs);
    }

    /// <summary>SIGTERM and wait (SIGKILL after 20 s).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                // Remove containers first so no monitor or mount outlives the test.
                var ids = await DockerAsync("ps", "-aq");
                if (ids.ExitCode == 0 && ids.Out.Length > 0)
                {
                    await DockerAsync(["rm", "-f", .. ids.Out.Split('\n')]);
                }
            }
        }
        finally
        {
            await StopAsync();
            Http?.Dispose();
            await Shell.RunAsync("ip", ["netns", "delete", Netns]);
            await Shell.RunAsync("sh", ["-c", $"awk -v d='{DataRoot}' -v e='{ExecRoot}' '$2 == d || index($2, d \"/\") == 1 || $2 == e || index($2, e \"/\") == 1 {{ print $2 }}' /proc/mounts | sort -r | xargs -r -n1 umount -l; rm -rf '{Dir}' '{ExecRoot}'"]);
        }
    }
}
