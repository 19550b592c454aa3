using System.Diagnostics;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Clients;

/// <summary>
/// One berthd for a test class, started in this process's own network namespace, with
/// busybox:latest loaded. SDK clients connect to published ports on 127.0.0.1 from the test
/// process itself, so the test run and the daemon must share a namespace that is not the host's:
/// scripts/in-netns.sh makes one and runs the tests inside it (test.sh does).
/// </summary>
public sealed class ClientDaemon : IAsyncLifetime
{
    private static int _counter;
    private readonly List<string> _log = [];
    private Process? _process;

    public ClientDaemon()
    {
        Name = $"bct-{Interlocked.Increment(ref _counter)}-{Environment.ProcessId}";
        Dir = Path.Combine("/tmp", Name);
        ExecRoot = Path.Combine("/run", Name);
        SocketPath = $"/run/{Name}.sock";
    }

    public string Name { get; }

    public string Dir { get; }

    public string ExecRoot { get; }

    public string SocketPath { get; }

    public string DockerHost => $"unix://{SocketPath}";

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

    public async Task InitializeAsync()
    {
        var netns = Environment.GetEnvironmentVariable("BERTH_TEST_NETNS");
        if (string.IsNullOrEmpty(netns) || (await Shell.RunAsync("readlink", ["/proc/self/ns/net"])).Out != (await Shell.RunAsync("nsenter", ["--net=/run/netns/" + netns, "readlink", "/proc/self/ns/net"])).Out)
        {
            throw new InvalidOperationException("the client tests publish ports on this namespace's loopback: run them through scripts/in-netns.sh (as test.sh does), which gives them a network namespace of their own");
        }

        Directory.CreateDirectory(Path.Combine(Dir, "data"));
        var psi = new ProcessStartInfo(RepoPaths.Daemon) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-H", DockerHost, "--data-root", Path.Combine(Dir, "data"), "--exec-root", ExecRoot, "--cgroup-parent", $"/{Name}", "--log-level", "debug" })
        {
            psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = BerthDaemon.CreateHttpClient(SocketPath);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var r = await http.GetAsync("/_ping");
                if (r.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"berthd did not come up:\n{Log}");
            }

            await Task.Delay(50);
        }

        await using var archive = File.OpenRead(await BusyboxArchive.PathAsync());
        using var content = new StreamContent(archive);
        content.Headers.ContentType = new("application/x-tar");
        using var load = await http.PostAsync("/v1.50/images/load?quiet=1", content);
        var body = await load.Content.ReadAsStringAsync();
        if (!load.IsSuccessStatusCode || body.Contains("\"error", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"loading busybox failed: {(int)load.StatusCode} {body}");
        }
    }

    /// <summary>Runs the real docker CLI against this daemon and returns its stdout; throws with its output otherwise.</summary>
    public async Task<string> DockerOkAsync(params string[] args)
    {
        var r = await Shell.RunAsync(RepoPaths.DockerCli, args, new Dictionary<string, string> { ["DOCKER_HOST"] = DockerHost });
        return r.ExitCode == 0 ? r.Out : throw new InvalidOperationException($"docker {string.Join(' ', args)}: {r}");
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                var ids = await Shell.RunAsync(RepoPaths.DockerCli, ["ps", "-aq"], new Dictionary<string, string> { ["DOCKER_HOST"] = DockerHost });
                if (ids.ExitCode == 0 && ids.Out.Length > 0)
                {
                    await Shell.RunAsync(RepoPaths.DockerCli, ["rm", "-f", .. ids.Out.Split('\n')], new Dictionary<string, string> { ["DOCKER_HOST"] = DockerHost });
                }

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
        finally
        {
            _process?.Dispose();
            await Shell.RunAsync("sh", ["-c", $"grep -o ' {Dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l; rm -rf '{Dir}' '{ExecRoot}'"]);
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }
}
