using Berth.Containers.Create;
using Berth.Containers.Model;
using Berth.Core.Errors;
using Berth.Core.Model;

namespace Berth.Tests.Unit.Containers;

public sealed class ConfigMergerTests
{
    private static readonly ImageConfig Image = new()
    {
        User = "app",
        Env = ["PATH=/bin", "LANG=C"],
        Cmd = ["sh"],
        Entrypoint = ["/entry"],
        WorkingDir = "/srv",
        Labels = new Dictionary<string, string> { ["from"] = "image", ["shared"] = "image" },
        ExposedPorts = ["80/tcp"],
        StopSignal = "SIGQUIT",
        Healthcheck = new HealthConfig { Test = ["CMD", "true"], Interval = 5_000_000_000, Retries = 4 },
    };

    [Fact]
    public void Cmd_from_the_request_replaces_the_image_cmd_and_keeps_the_image_entrypoint()
    {
        var m = ConfigMerger.Merge(new ContainerConfig { Cmd = ["echo", "hi"] }, Image);
        Assert.Equal(["/entry"], m.Entrypoint!);
        Assert.Equal(["echo", "hi"], m.Cmd!);
        var (path, args) = ConfigMerger.EntrypointAndArgs(m);
        Assert.Equal("/entry", path);
        Assert.Equal(["echo", "hi"], args);
    }

    [Fact]
    public void Entrypoint_from_the_request_resets_the_image_cmd()
    {
        var m = ConfigMerger.Merge(new ContainerConfig { Entrypoint = ["echo"] }, Image);
        Assert.Equal(["echo"], m.Entrypoint!);
        Assert.Null(m.Cmd);
        Assert.Equal("echo", ConfigMerger.EntrypointAndArgs(m).Path);
        Assert.Empty(ConfigMerger.EntrypointAndArgs(m).Args);
    }

    [Fact]
    public void Empty_entrypoint_clears_the_image_entrypoint_and_cmd()
    {
        var cleared = ConfigMerger.Merge(new ContainerConfig { Entrypoint = [""], Cmd = ["echo", "hi"] }, Image);
        Assert.Null(cleared.Entrypoint);
        Assert.Equal(["echo", "hi"], cleared.Cmd!);

        var nothing = ConfigMerger.Merge(new ContainerConfig { Entrypoint = [""] }, Image);
        Assert.Null(nothing.Cmd);
        var e = Assert.Throws<BerthException>(() => ConfigMerger.EntrypointAndArgs(nothing));
        Assert.Equal("no command specified", e.Message);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void Without_request_values_the_image_config_applies()
    {
        var m = ConfigMerger.Merge(new ContainerConfig(), Image);
        Assert.Equal(["sh"], m.Cmd!);
        Assert.Equal("app", m.User);
        Assert.Equal("/srv", m.WorkingDir);
        Assert.Equal("SIGQUIT", m.StopSignal);
        Assert.Equal(["PATH=/bin", "LANG=C"], m.Env);
    }

    [Fact]
    public void Env_keeps_request_entries_first_and_adds_image_entries_with_other_keys()
    {
        var m = ConfigMerger.Merge(new ContainerConfig { Env = ["FOO=bar", "LANG=en"] }, Image);
        Assert.Equal(["FOO=bar", "LANG=en", "PATH=/bin"], m.Env);
    }

    [Fact]
    public void Labels_and_exposed_ports_are_unions_with_request_values_winning()
    {
        var m = ConfigMerger.Merge(new ContainerConfig { Labels = new Dictionary<string, string> { ["shared"] = "request" }, ExposedPorts = ["443/tcp"] }, Image);
        Assert.Equal("request", m.Labels["shared"]);
        Assert.Equal("image", m.Labels["from"]);
        Assert.Equal(["443/tcp", "80/tcp"], m.ExposedPorts!);
    }

    [Fact]
    public void Healthcheck_fields_fall_back_to_the_image_one_by_one()
    {
        var m = ConfigMerger.Merge(new ContainerConfig { Healthcheck = new HealthConfig { Interval = 1_000_000_000 } }, Image);
        Assert.Equal(["CMD", "true"], m.Healthcheck!.Test!);
        Assert.Equal(1_000_000_000, m.Healthcheck.Interval);
        Assert.Equal(4, m.Healthcheck.Retries);
    }

    [Fact]
    public void Process_environment_adds_hostname_term_and_default_path()
    {
        var env = LaunchBuilder.Environment(new ContainerConfig { Hostname = "abc", Env = ["A=1", "HOSTNAME=mine"] }, tty: true);
        Assert.Equal([LaunchBuilder.DefaultPath, "HOSTNAME=mine", "TERM=xterm", "A=1"], env);
    }

    [Theory]
    [InlineData("bridge", true)]
    [InlineData("none", true)]
    [InlineData("mynet", true)]
    [InlineData("host", false)]
    [InlineData("container:other", false)]
    public void Own_network_namespaces_get_dockers_unprivileged_port_and_ping_sysctls(string mode, bool expected)
    {
        var sysctls = LaunchBuilder.Sysctls(new HostConfig { NetworkMode = mode });
        Assert.Equal(expected, sysctls.TryGetValue("net.ipv4.ip_unprivileged_port_start", out var port) && port == "0");
        Assert.Equal(expected, sysctls.TryGetValue("net.ipv4.ping_group_range", out var ping) && ping == "0 2147483647");
    }

    [Fact]
    public void The_containers_own_sysctls_override_the_network_defaults()
    {
        var sysctls = LaunchBuilder.Sysctls(new HostConfig
        {
            Sysctls = new Dictionary<string, string> { ["net.ipv4.ip_unprivileged_port_start"] = "1024", ["net.core.somaxconn"] = "1000" },
        });
        Assert.Equal("1024", sysctls["net.ipv4.ip_unprivileged_port_start"]);
        Assert.Equal("1000", sysctls["net.core.somaxconn"]);
        Assert.Equal("0 2147483647", sysctls["net.ipv4.ping_group_range"]);
    }
}
