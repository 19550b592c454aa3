using System.Text.Json.Nodes;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Runtime;

/// <summary>
/// The reference engine: Debian's dockerd 20.10 in a network namespace of its own (started by
/// ../shared/bench/ref-dockerd.sh), with the same busybox image loaded.
/// </summary>
public sealed class ReferenceDockerd : IAsyncLifetime
{
    public string Name { get; } = $"bitref-{Environment.ProcessId}";

    public string DockerHost => $"unix:///run/{Name}.sock";

    public string ExecRoot => $"/run/{Name}";

    private static string Script => Path.Combine(RepoPaths.Root, "..", "shared", "bench", "ref-dockerd.sh");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Script), $"{Script} is missing: the reference engine comes from ../shared/bench");
        var start = await Shell.RunAsync("bash", [Script, "start", Name]);
        Assert.True(start.ExitCode == 0, $"reference dockerd did not start (scripts/install-deps.sh installs docker.io): {start}");
        var load = await Shell.RunAsync(RepoPaths.DockerCli, ["load", "-i", await BusyboxArchive.PathAsync()], Env);
        Assert.True(load.ExitCode == 0, load.ToString());
    }

    public Dictionary<string, string> Env => new() { ["DOCKER_HOST"] = DockerHost };

    public async Task<string> DockerOkAsync(params string[] args)
    {
        var r = await Shell.RunAsync(RepoPaths.DockerCli, args, Env);
        Assert.True(r.ExitCode == 0, $"reference docker {string.Join(' ', args)}: {r}");
        return r.Out;
    }

    public async Task DisposeAsync() => await Shell.RunAsync("bash", [Script, "stop", Name, "--purge"]);
}

/// <summary>
/// The OCI spec Berth gives runc for a `run` against the one dockerd 20.10 writes for the same
/// `run`, field by field where it matters for isolation and for what a process sees: any drift
/// from Docker's defaults (capabilities, masks, mounts, sysctls, groups, seccomp) fails here.
/// </summary>
public sealed class DockerSpecParityTests(ReferenceDockerd reference, DockerSpecParityTests.Daemon fixture)
    : IClassFixture<ReferenceDockerd>, IClassFixture<DockerSpecParityTests.Daemon>
{
    public sealed class Daemon() : DaemonFixture("parity");

    private readonly BerthDaemon _berth = fixture.Daemon;

    /// <summary>
    /// What Docker's default seccomp profile changed after 20.10 (Berth follows the current one):
    /// socket() lost AF_ALG and AF_VSOCK; memory protection keys, name_to_handle_at and
    /// process_vm_readv/writev (safe from kernel 4.8) became allowed.
    /// </summary>
    private static readonly string[] SeccompDroppedSince2010 = ["socket SCMP_ACT_ALLOW  "];

    private static readonly string[] SeccompAddedSince2010 =
    [
        "socket SCMP_ACT_ALLOW 0:SCMP_CMP_LT:38:0 ", "socket SCMP_ACT_ALLOW 0:SCMP_CMP_EQ:39:0 ", "socket SCMP_ACT_ALLOW 0:SCMP_CMP_GT:40:0 ",
        "name_to_handle_at SCMP_ACT_ALLOW  ", "pkey_alloc SCMP_ACT_ALLOW  ", "pkey_free SCMP_ACT_ALLOW  ", "pkey_mprotect SCMP_ACT_ALLOW  ",
        "process_vm_readv SCMP_ACT_ALLOW  ", "process_vm_writev SCMP_ACT_ALLOW  ",
    ];

    /// <summary>Paths current Docker masks that 20.10 did not (GHSA-6fw5-f8r9-fgfm, GHSA-jq35-85cj-fj4p).</summary>
    private static readonly string[] NewerDockerMasks = ["/proc/interrupts", "/sys/devices/virtual/powercap"];

    public static TheoryData<string[]> RunOptions => new()
    {
        Array.Empty<string>(),
        new[] { "-u", "1000:50", "--group-add", "33" },
        new[] { "--network", "none", "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN" },
        new[] { "--network", "host" },
        new[] { "--read-only", "--sysctl", "net.ipv4.ip_unprivileged_port_start=1024", "--shm-size", "1m", "--tmpfs", "/run" },
    };

    [Theory]
    [MemberData(nameof(RunOptions))]
    public async Task The_spec_for_a_run_matches_dockerd_20_10s(string[] options)
    {
        string[] run = ["run", "-d", .. options, "busybox", "sleep", "600"];
        var dockerId = await reference.DockerOkAsync(run);
        var berthId = await _berth.DockerOkAsync(run);
        try
        {
            var docker = ReadSpec(Path.Combine(reference.ExecRoot, "containerd", "daemon", "io.containerd.runtime.v2.task", "moby", dockerId, "config.json"));
            var berth = ReadSpec(Path.Combine(_berth.ExecRoot, "containers", berthId, "config.json"));

            foreach (var set in new[] { "bounding", "effective", "permitted", "inheritable", "ambient" })
            {
                Assert.Equal(Strings(docker["process"]?["capabilities"]?[set]).Order(), Strings(berth["process"]?["capabilities"]?[set]).Order());
            }

            Assert.Equal(Number(docker["process"]!["user"]!["uid"]), Number(berth["process"]!["user"]!["uid"]));
            Assert.Equal(Number(docker["process"]!["user"]!["gid"]), Number(berth["process"]!["user"]!["gid"]));
            Assert.Equal(Numbers(docker["process"]!["user"]!["additionalGids"]), Numbers(berth["process"]!["user"]!["additionalGids"]));
            Assert.Equal(Flag(docker["process"]!["noNewPrivileges"]), Flag(berth["process"]!["noNewPrivileges"]));
            // HOSTNAME is the container's own ID; HOME is filled in by runc when the spec has none,
            // which is what dockerd leaves to it and Berth writes itself (the same value either way).
            Assert.Equal(Strings(docker["process"]!["env"]).Where(e => !e.StartsWith("HOSTNAME=", StringComparison.Ordinal) && !e.StartsWith("HOME=", StringComparison.Ordinal)).Order(),
                Strings(berth["process"]!["env"]).Where(e => !e.StartsWith("HOSTNAME=", StringComparison.Ordinal) && !e.StartsWith("HOME=", StringComparison.Ordinal)).Order());
            Assert.Equal(Flag(docker["root"]!["readonly"]), Flag(berth["root"]!["readonly"]));

            Assert.Equal(
                Strings(docker["linux"]!["maskedPaths"]).Order(),
                Strings(berth["linux"]!["maskedPaths"]).Where(p => !NewerDockerMasks.Contains(p) && !p.EndsWith("/thermal_throttle", StringComparison.Ordinal)).Order());
            Assert.Equal(Strings(docker["linux"]!["readonlyPaths"]).Order(), Strings(berth["linux"]!["readonlyPaths"]).Order());
            Assert.Equal(Sysctls(docker), Sysctls(berth));
            Assert.Equal(Namespaces(docker), Namespaces(berth));
            Assert.Equal(Mounts(docker), Mounts(berth));
            Assert.Equal(SeccompAllowed(docker).Except(SeccompDroppedSince2010).Concat(SeccompAddedSince2010).Order(), SeccompAllowed(berth).Order());
            Assert.Equal(docker["linux"]?["seccomp"]?["defaultAction"]?.ToString(), berth["linux"]?["seccomp"]?["defaultAction"]?.ToString());
        }
        finally
        {
            await reference.DockerOkAsync("rm", "-f", dockerId);
            await _berth.DockerOkAsync("rm", "-f", berthId);
        }
    }

    /// <summary>
    /// The device rules are compared where they take effect: the engines write them differently
    /// (dockerd leaves runc's defaults implicit, Berth spells them out), the kernel must end up
    /// with the same list.
    /// </summary>
    [Fact]
    public async Task The_device_cgroup_a_container_gets_matches_dockerd_20_10s()
    {
        string[] run = ["run", "--rm", "--device", "/dev/null:/dev/extra-null", "busybox", "sh", "-c", "sort /sys/fs/cgroup/devices/devices.list"];
        var docker = await reference.DockerOkAsync(run);
        var berth = await _berth.DockerOkAsync(run);
        Assert.Contains("c 1:3 rwm", berth, StringComparison.Ordinal);
        Assert.Equal(docker, berth);
    }

    /// <summary>
    /// Swappiness, block IO limits and device rules as the container's cgroups show them, and the
    /// warnings for what this kernel lacks (no proportional IO scheduler here: weights are
    /// discarded with dockerd's warning), against dockerd for the same run.
    /// </summary>
    [Fact]
    public async Task Swappiness_block_io_limits_and_device_rules_take_effect_as_under_dockerd()
    {
        var disk = new[] { "/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/loop0" }.First(p => Berth.Platform.Files.DeviceNode.TryStat(p) is { Type: 'b' });
        string[] run =
        [
            "run", "--rm", "--memory-swappiness", "17", "--blkio-weight", "300", "--device-read-bps", $"{disk}:1mb", "--device-write-iops", $"{disk}:77",
            "--device-cgroup-rule", "c 42:* rmw", "busybox", "sh", "-c",
            "cat /sys/fs/cgroup/memory/memory.swappiness /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device /sys/fs/cgroup/blkio/blkio.throttle.write_iops_device; " +
            "grep '^c 42' /sys/fs/cgroup/devices/devices.list; cat /sys/fs/cgroup/blkio/blkio.weight 2>/dev/null || echo no-weight",
        ];
        var docker = await Shell.RunAsync(RepoPaths.DockerCli, run, reference.Env);
        var berth = await _berth.DockerAsync(run);
        Assert.True(berth.ExitCode == 0, berth.ToString());
        var node = Berth.Platform.Files.DeviceNode.TryStat(disk)!;
        Assert.StartsWith($"17\n{node.Major}:{node.Minor} 1048576\n{node.Major}:{node.Minor} 77\nc 42:* rwm\n", berth.Stdout, StringComparison.Ordinal);
        Assert.Equal(docker.Stdout, berth.Stdout);
        Assert.Equal(docker.Stderr, berth.Stderr);

        var id = await _berth.DockerOkAsync("create", "--device-read-bps", $"{disk}:1mb", "--device-cgroup-rule", "c 42:* rmw", "--memory-swappiness", "17", "busybox");
        var inspect = await _berth.DockerOkAsync("inspect", "-f", "{{json .HostConfig.BlkioDeviceReadBps}} {{json .HostConfig.DeviceCgroupRules}} {{.HostConfig.MemorySwappiness}}", id);
        Assert.Equal($"[{{\"Path\":\"{disk}\",\"Rate\":1048576}}] [\"c 42:* rmw\"] 17", inspect);
        await _berth.DockerOkAsync("rm", id);
    }

    [Fact]
    public async Task A_non_root_user_may_bind_low_ports_and_sees_the_same_groups_as_under_docker()
    {
        string[] run = ["run", "--rm", "-u", "1000", "busybox", "sh", "-c", "id; cat /proc/sys/net/ipv4/ip_unprivileged_port_start; nc -l -p 80 & p=$!; " +
            "while kill -0 $p 2>/dev/null && ! netstat -ltn | grep -q ':80 '; do :; done; netstat -ltn | grep -q ':80 ' && echo bound; kill $p"];
        var docker = await reference.DockerOkAsync(run);
        var berth = await _berth.DockerOkAsync(run);
        Assert.Equal("uid=1000 gid=0(root) groups=0(root)\n0\nbound", berth);
        Assert.Equal(docker, berth);
    }

    private static JsonNode ReadSpec(string path)
    {
        Assert.True(File.Exists(path), $"no spec at {path}");
        return JsonNode.Parse(File.ReadAllText(path))!;
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node is JsonArray a ? a.Select(n => n!.ToString()) : [];

    private static long? Number(JsonNode? node) => node?.GetValue<long>();

    private static bool Flag(JsonNode? node) => node?.GetValue<bool>() ?? false;

    private static long[] Numbers(JsonNode? node) => node is JsonArray a ? [.. a.Select(n => n!.GetValue<long>())] : [];

    private static string Sysctls(JsonNode spec) =>
        string.Join(", ", (spec["linux"]?["sysctl"] as JsonObject ?? []).Select(kv => $"{kv.Key}={kv.Value}").Order());

    /// <summary>
    /// Namespace types. The network namespace is left out: dockerd lists it with the path of its
    /// own for --network host and lets a hook fill in a new one; Berth joins one it made
    /// beforehand, or lists none for host. Both give the same namespace, which the networking
    /// tests check from inside the containers.
    /// </summary>
    private static string Namespaces(JsonNode spec) =>
        string.Join(", ", (spec["linux"]!["namespaces"] as JsonArray)!.Select(n => n!["type"]!.ToString()).Where(t => t != "network").Order());

    /// <summary>Mounts by destination: type and options (as a set: engines order them differently); sources of the engine's own files differ.</summary>
    private static string Mounts(JsonNode spec) =>
        string.Join("\n", (spec["mounts"] as JsonArray)!.Select(m =>
        {
            var type = m!["type"]!.ToString();
            // rw and relatime are the kernel's defaults; propagation means nothing on a fresh tmpfs.
            var options = Strings(m["options"]).Where(o => o is not "rw" and not "relatime" && !(type == "tmpfs" && o == "rprivate")).Select(SizeInBytes).Order();
            var source = type == "bind" ? "(bind)" : m["source"]!.ToString();
            return $"{m["destination"]} {type} {source} {string.Join(",", options)}";
        }).Order());

    private static string SizeInBytes(string option)
    {
        if (!option.StartsWith("size=", StringComparison.Ordinal) || option.Length < 7 || !char.IsAsciiLetter(option[^1]))
        {
            return option;
        }

        var shift = char.ToLowerInvariant(option[^1]) switch { 'k' => 10, 'm' => 20, 'g' => 30, _ => 0 };
        return $"size={long.Parse(option[5..^1], System.Globalization.CultureInfo.InvariantCulture) << shift}";
    }

    /// <summary>Argument filters with the spec's defaults spelled out (an absent valueTwo is 0).</summary>
    private static string Arguments(JsonNode? args) => args is JsonArray a
        ? string.Join(";", a.Select(x => $"{x!["index"]}:{x["op"]}:{x["value"]}:{x["valueTwo"]?.ToString() ?? "0"}"))
        : string.Empty;

    /// <summary>Every system call name with each action and argument filter the profile gives it.</summary>
    private static IEnumerable<string> SeccompAllowed(JsonNode spec)
    {
        var seccomp = spec["linux"]?["seccomp"];
        return seccomp is null
            ? ["unconfined"]
            : (seccomp["syscalls"] as JsonArray)!.SelectMany(s => Strings(s!["names"]).Select(n => $"{n} {s["action"]} {Arguments(s["args"])} {s["errnoRet"]}"));
    }
}
