using System.CommandLine;
using Berth.Api.Json;
using Berth.Core.Errors;
using Berth.Core.Events;
using Berth.Daemon;
using Berth.Daemon.Configuration;
using Berth.Daemon.Http;
using Berth.Daemon.Modules;

var hosts = new Option<string[]>("--host", "-H") { Description = "Daemon socket(s) to connect to", AllowMultipleArgumentsPerToken = false };
var dataRoot = new Option<string?>("--data-root") { Description = "Root directory of persistent Berth state (default /var/lib/berth)" };
var execRoot = new Option<string?>("--exec-root") { Description = "Root directory for execution state files (default /run/berth)" };
var pidFile = new Option<string?>("--pidfile", "-p") { Description = "Path to use for daemon PID file (default /run/berth/berthd.pid)" };
var configFile = new Option<string?>("--config-file") { Description = "Daemon configuration file (default /etc/berth/daemon.json)" };
var defaultRuntime = new Option<string?>("--default-runtime") { Description = "Default OCI runtime for containers (default runc)" };
var logLevel = new Option<string?>("--log-level", "-l") { Description = "Set the logging level (debug, info, warn, error, fatal)" };
var debug = new Option<bool>("--debug", "-D") { Description = "Enable debug mode" };
var liveRestore = new Option<bool?>("--live-restore") { Description = "Keep containers running while the daemon is down (default true)" };
var cgroupParent = new Option<string?>("--cgroup-parent") { Description = "Set parent cgroup for all containers (default /berth)" };
var bip = new Option<string?>("--bip") { Description = "Specify default-bridge IP" };
var iptables = new Option<bool?>("--iptables") { Description = "Enable addition of NAT/filter rules (default true)" };
var bridge = new Option<string?>("--bridge", "-b") { Description = "Attach containers to a network bridge (default berth0; \"none\" disables the default bridge)" };
var fixedCidr = new Option<string?>("--fixed-cidr") { Description = "IPv4 subnet for fixed IPs of the default bridge" };
var userlandProxy = new Option<bool?>("--userland-proxy") { Description = "Use a userland proxy for published ports (only false: Berth forwards in the kernel)" };
var seccompProfile = new Option<string?>("--seccomp-profile") { Description = "Default seccomp profile: \"builtin\", \"unconfined\", a JSON profile's path, or \"builtin-native\" (no 32-bit system calls; faster starts)" };
var defaultUlimit = new Option<string[]>("--default-ulimit") { Description = "Default ulimits for containers (name=soft[:hard], repeatable)", AllowMultipleArgumentsPerToken = false };

var tls = new Option<bool?>("--tls") { Description = "Use TLS; implied by --tlsverify (a tcp:// listener needs --tlsverify, or --tls=false given explicitly)" };
var tlsVerify = new Option<bool?>("--tlsverify") { Description = "Use TLS and verify the remote: clients need a certificate signed by --tlscacert (default true when DOCKER_TLS_VERIFY is set)" };
var tlsCaCert = new Option<string?>("--tlscacert") { Description = "Trust certs signed only by this CA (default $DOCKER_CERT_PATH/ca.pem or ~/.docker/ca.pem)" };
var tlsCert = new Option<string?>("--tlscert") { Description = "Path to TLS certificate file (default $DOCKER_CERT_PATH/cert.pem or ~/.docker/cert.pem)" };
var tlsKey = new Option<string?>("--tlskey") { Description = "Path to TLS key file (default $DOCKER_CERT_PATH/key.pem or ~/.docker/key.pem)" };
var group = new Option<string?>("--group", "-G") { Description = "Group for the unix socket (default \"docker\" when that group exists)" };

var root = new RootCommand("berthd: the Berth engine, serving the Docker Engine API")
{
    hosts, dataRoot, execRoot, pidFile, configFile, defaultRuntime, logLevel, debug, liveRestore, cgroupParent, bip, iptables, bridge, fixedCidr, userlandProxy, seccompProfile, defaultUlimit,
    tls, tlsVerify, tlsCaCert, tlsCert, tlsKey, group,
};

root.SetAction(async (parse, cancellationToken) =>
{
    var flags = new HashSet<string>();
    var o = new DaemonOptions();
    if (parse.GetValue(hosts) is { Length: > 0 } h) { o = o with { Hosts = h }; flags.Add("hosts"); }
    if (parse.GetValue(dataRoot) is { } d) { o = o with { DataRoot = Path.GetFullPath(d) }; flags.Add("data-root"); }
    if (parse.GetValue(execRoot) is { } e) { o = o with { ExecRoot = Path.GetFullPath(e), PidFile = Path.Combine(Path.GetFullPath(e), "berthd.pid") }; flags.Add("exec-root"); }
    if (parse.GetValue(pidFile) is { } p) { o = o with { PidFile = Path.GetFullPath(p) }; flags.Add("pidfile"); }
    if (parse.GetValue(defaultRuntime) is { } r) { o = o with { DefaultRuntime = r }; flags.Add("default-runtime"); }
    if (parse.GetValue(logLevel) is { } l) { o = o with { LogLevel = l }; flags.Add("log-level"); }
    if (parse.GetValue(debug)) { o = o with { LogLevel = "debug" }; flags.Add("debug"); }
    if (parse.GetValue(liveRestore) is { } lr) { o = o with { LiveRestore = lr }; flags.Add("live-restore"); }
    if (parse.GetValue(cgroupParent) is { } cg) { o = o with { CgroupParent = cg }; flags.Add("cgroup-parent"); }
    if (parse.GetValue(bip) is { } b) { o = o with { Bip = b }; flags.Add("bip"); }
    if (parse.GetValue(iptables) is { } ipt) { o = o with { Iptables = ipt }; flags.Add("iptables"); }
    if (parse.GetValue(bridge) is { } br) { o = o with { Bridge = br }; flags.Add("bridge"); }
    if (parse.GetValue(fixedCidr) is { } fc) { o = o with { FixedCidr = fc }; flags.Add("fixed-cidr"); }
    if (parse.GetValue(userlandProxy) is { } up) { o = o with { UserlandProxy = up }; flags.Add("userland-proxy"); }
    if (parse.GetValue(seccompProfile) is { } sp) { o = o with { SeccompProfile = sp }; flags.Add("seccomp-profile"); }
    if (parse.GetValue(tls) is { } t) { o = o with { Tls = t }; flags.Add("tls"); }
    if (parse.GetValue(tlsVerify) is { } tv) { o = o with { TlsVerify = tv }; flags.Add("tlsverify"); }
    else if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY"))) { o = o with { TlsVerify = true }; }
    if (parse.GetValue(tlsCaCert) is { } ca) { o = o with { TlsCaCert = Path.GetFullPath(ca) }; flags.Add("tlscacert"); }
    if (parse.GetValue(tlsCert) is { } cert) { o = o with { TlsCert = Path.GetFullPath(cert) }; flags.Add("tlscert"); }
    if (parse.GetValue(tlsKey) is { } key) { o = o with { TlsKey = Path.GetFullPath(key) }; flags.Add("tlskey"); }
    if (parse.GetValue(group) is { } g) { o = o with { SocketGroup = g, SocketGroupGiven = true }; flags.Add("group"); }
    if (parse.GetValue(defaultUlimit) is { Length: > 0 } ul)
    {
        var limits = new List<Berth.Core.Model.Ulimit>();
        foreach (var spec in ul)
        {
            if (Berth.Core.Model.Ulimit.TryParse(spec, out var error) is not { } u)
            {
                await Console.Error.WriteLineAsync($"berthd: invalid argument \"{spec}\" for \"--default-ulimit\" flag: {error}").ConfigureAwait(false);
                return 125;
            }

            limits.RemoveAll(x => x.Name == u.Name);
            limits.Add(u);
        }

        o = o with { DefaultUlimits = limits };
        flags.Add("default-ulimits");
    }

    var explicitConfig = parse.GetValue(configFile);
    try
    {
        o = DaemonConfigFile.Apply(o with { ConfigFile = explicitConfig ?? o.ConfigFile }, explicitConfig ?? o.ConfigFile, flags, required: explicitConfig is not null);
        await DaemonHost.RunAsync(o, cancellationToken).ConfigureAwait(false);
        return 0;
    }
    catch (BerthException ex)
    {
        await Console.Error.WriteLineAsync($"berthd: {ex.Message}").ConfigureAwait(false);
        return 1;
    }
});

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
