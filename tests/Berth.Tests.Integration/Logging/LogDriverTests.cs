using System.Text.Json;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Logging;

/// <summary>
/// The local and json-file drivers with real containers through the docker CLI: daemon.json
/// defaults, rotation and compression, `docker logs` across compressed files, tail, since,
/// details, dockerd's option errors, and mode=non-blocking with a stalled log writer.
/// </summary>
public sealed class LogDriverTests(LogDriversDaemon fixture) : IClassFixture<LogDriversDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private static string Name(string what) => $"{what}-{Guid.NewGuid().ToString("N")[..8]}";

    private Task<string> OkAsync(params string[] args) => _d.DockerOkAsync(args);

    private string ContainerDir(string id) => Path.Combine(_d.DataRoot, "containers", id);

    // 200 numbered lines, ~40 bytes a record in either format: with max-size=1k they fill several files.
    private const string TwoHundredLines = "i=1; while [ $i -le 200 ]; do echo \"line $i\"; i=$((i+1)); done";

    private static IEnumerable<string> Lines(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => $"line {i}");

    [Fact]
    public async Task The_daemon_json_default_driver_and_its_options_apply_to_containers_that_name_none()
    {
        var name = Name("default");
        await OkAsync("run", "--name", name, "busybox", "sh", "-c", "echo to-out; echo to-err >&2");
        var id = await OkAsync("inspect", "-f", "{{.Id}}", name);
        Assert.Equal("local map[max-file:3]", await OkAsync("inspect", "-f", "{{.HostConfig.LogConfig.Type}} {{.HostConfig.LogConfig.Config}}", name));
        Assert.True(File.Exists(Path.Combine(ContainerDir(id), "local-logs", "container.log")));
        Assert.False(File.Exists(Path.Combine(ContainerDir(id), id + "-json.log")));
        var logs = await _d.DockerAsync("logs", name);
        Assert.Equal("to-out", logs.Out);
        Assert.Equal("to-err", logs.Stderr.TrimEnd('\n'));

        // The same driver named explicitly gets the daemon's options it did not set; another driver gets none.
        var own = Name("own");
        await OkAsync("create", "--name", own, "--log-driver", "local", "--log-opt", "max-size=5m", "busybox");
        Assert.Equal("local map[max-file:3 max-size:5m]", await OkAsync("inspect", "-f", "{{.HostConfig.LogConfig.Type}} {{.HostConfig.LogConfig.Config}}", own));
        var json = Name("json");
        await OkAsync("create", "--name", json, "--log-driver", "json-file", "busybox");
        Assert.Equal("json-file map[]", await OkAsync("inspect", "-f", "{{.HostConfig.LogConfig.Type}} {{.HostConfig.LogConfig.Config}}", json));

        var info = JsonDocument.Parse(await OkAsync("info", "-f", "{{json .}}")).RootElement;
        Assert.Equal("local", info.GetProperty("LoggingDriver").GetString());
        Assert.Contains("local", info.GetProperty("Plugins").GetProperty("Log").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Local_rotates_compresses_and_logs_reads_across_the_compressed_files()
    {
        var name = Name("rotate");
        await OkAsync("run", "--name", name, "--log-driver", "local", "--log-opt", "max-size=1k", "--log-opt", "max-file=3", "busybox", "sh", "-c", TwoHundredLines);
        var id = await OkAsync("inspect", "-f", "{{.Id}}", name);
        var dir = Path.Combine(ContainerDir(id), "local-logs");
        Assert.Equal(["container.log", "container.log.1.gz", "container.log.2.gz"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // Go's gzip header as dockerd writes it: FEXTRA, no XFL, OS unknown, then {"lastTime":...}.
        var gz = File.ReadAllBytes(Path.Combine(dir, "container.log.2.gz"));
        Assert.Equal([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff], gz[..10]);
        Assert.StartsWith("{\"lastTime\":\"20", System.Text.Encoding.ASCII.GetString(gz, 12, gz[10]), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(dir, "container.log.2.gz")));

        // What is kept is the end of the output, whole and in order, from the oldest compressed file on.
        var all = (await OkAsync("logs", name)).Split('\n');
        var first = int.Parse(all[0]["line ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(first, 2, 190);
        Assert.Equal(Lines(first, 200), all);

        // A tail reaching back into the compressed files, a short one, and since.
        Assert.Equal(Lines(200 - all.Length + 2, 200), (await OkAsync("logs", "--tail", (all.Length - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), name)).Split('\n'));
        Assert.Equal(Lines(196, 200), (await OkAsync("logs", "-n", "5", name)).Split('\n'));
        Assert.Empty(await OkAsync("logs", "-n", "0", name));
        var stamped = (await OkAsync("logs", "-t", name)).Split('\n');
        var since = stamped[^3].Split(' ')[0];
        var fromSince = (await OkAsync("logs", "--since", since, name)).Split('\n');
        Assert.Equal("line 200", fromSince[^1]);
        Assert.Contains("line 198", fromSince);
        Assert.Equal(Lines(201 - fromSince.Length, 200), fromSince);

        // --details: a space before each line (dockerd writes the entry's attributes there; these have none).
        Assert.Equal(" line 200", (await OkAsync("logs", "--details", "-n", "1", name)));
    }

    [Fact]
    public async Task Json_file_compresses_rotated_files_too_and_follow_reads_to_the_end()
    {
        var name = Name("jsonz");
        await OkAsync("run", "-d", "--name", name, "--log-driver", "json-file", "--log-opt", "max-size=1k", "--log-opt", "max-file=4", "--log-opt", "compress=true", "busybox", "sh", "-c", TwoHundredLines);
        var followed = (await OkAsync("logs", "-f", name)).Split('\n');
        Assert.Equal("line 200", followed[^1]);
        await OkAsync("wait", name);
        var id = await OkAsync("inspect", "-f", "{{.Id}}", name);
        var dir = ContainerDir(id);
        Assert.True(File.Exists(Path.Combine(dir, id + "-json.log.1.gz")));
        Assert.True(File.Exists(Path.Combine(dir, id + "-json.log.3.gz")));
        Assert.False(File.Exists(Path.Combine(dir, id + "-json.log.1")));
        var all = (await OkAsync("logs", name)).Split('\n');
        Assert.Equal(Lines(201 - all.Length, 200), all);
        Assert.Equal(Lines(191, 200), (await OkAsync("logs", "--tail", "10", name)).Split('\n'));
    }

    [Fact]
    public async Task Log_options_are_refused_at_create_with_dockerds_messages()
    {
        async Task RefusedAsync(string message, params string[] opts)
        {
            var args = new List<string> { "create" };
            foreach (var o in opts)
            {
                args.AddRange(o.StartsWith("driver=", StringComparison.Ordinal) ? ["--log-driver", o["driver=".Length..]] : ["--log-opt", o]);
            }

            args.Add("busybox");
            var r = await _d.DockerAsync([.. args]);
            Assert.True(r.ExitCode != 0, r.ToString());
            Assert.Contains(message, r.Stderr, StringComparison.Ordinal);
        }

        await RefusedAsync("logger: logging mode not supported: fast", "mode=fast");
        await RefusedAsync("logger: max-buffer-size option is only supported with 'mode=non-blocking'", "max-buffer-size=1m");
        await RefusedAsync("error parsing option max-buffer-size: invalid size: 'huge'", "mode=non-blocking", "max-buffer-size=huge");
        await RefusedAsync("unknown log opt 'tag' for log driver local", "tag=x");
        await RefusedAsync("compression cannot be enabled when max file count is 1", "max-file=1");
        await RefusedAsync("logger: no log driver named 'syslog2' is registered", "driver=syslog2");
        await RefusedAsync("compress cannot be true when max-file is less than 2 or max-size is not set", "driver=json-file", "compress=true");
        var ok = Name("nb");
        await OkAsync("create", "--name", ok, "--log-opt", "mode=non-blocking", "--log-opt", "max-buffer-size=4m", "busybox");
    }

    [Fact]
    public async Task Non_blocking_mode_drops_lines_instead_of_blocking_a_container_whose_log_is_stalled()
    {
        // 20,000 lines of ~100 bytes: 2 MB, more than the pipe (1 MiB) and the ring (64 KB) hold
        // together. The monitor's log writer is held on the gate (BERTH_TEST_LOG_GATE) the whole
        // time, so in blocking mode the container could not get past the first megabyte; here it
        // finishes and says so in a file, while its log has not taken a single line yet.
        var name = Name("nonblock");
        var done = Path.Combine(fixture.Shared, name);
        var script = "awk 'BEGIN { for (i = 0; i < 20000; i++) printf \"line %05d %s\\n\", i, \"................................................................................\" }'; touch /shared/" + name;
        await OkAsync("run", "-d", "--name", name, "-v", $"{fixture.Shared}:/shared", "--log-driver", "json-file", "--log-opt", "mode=non-blocking", "--log-opt", "max-buffer-size=64k", "busybox", "sh", "-c", script);
        await Until.TrueAsync(() => File.Exists(done), "the container to write all its output");
        Assert.Equal("non-blocking", await OkAsync("inspect", "-f", "{{index .HostConfig.LogConfig.Config \"mode\"}}", name));

        // Release the writer: it writes what the ring kept, and the container's exit follows.
        await using (var gate = new FileStream(fixture.Gate, FileMode.Open, FileAccess.Write))
        {
        }

        Assert.Equal("0", await OkAsync("wait", name));
        var lines = (await OkAsync("logs", name)).Split('\n');
        Assert.StartsWith("line 00000 ", lines[0], StringComparison.Ordinal);
        Assert.InRange(lines.Length, 1, 19_999);
        Assert.Equal(lines.Order(StringComparer.Ordinal), lines);
    }

    [Fact]
    public async Task Bad_default_log_opts_in_daemon_json_stop_the_daemon_at_start()
    {
        var name = $"{_d.Name}-badlog";
        var config = Path.Combine(_d.Dir, "bad-log-daemon.json");
        await File.WriteAllTextAsync(config, """{"log-driver": "local", "log-opts": {"mode": "sometimes"}}""");
        try
        {
            var r = await Shell.RunAsync("nsenter", [
                $"--net=/run/netns/{_d.Netns}", "--", RepoPaths.Daemon, "-H", $"unix:///run/{name}.sock", "--config-file", config,
                "--data-root", Path.Combine(_d.Dir, name), "--exec-root", $"/run/{name}", "--pidfile", $"/run/{name}.pid", "--cgroup-parent", $"/{name}"],
                timeout: TimeSpan.FromSeconds(120));
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("failed to set log opts: logger: logging mode not supported: sometimes", r.Stdout + r.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists($"/run/{name}"))
            {
                Directory.Delete($"/run/{name}", recursive: true);
            }

            File.Delete($"/run/{name}.pid");
        }
    }
}
