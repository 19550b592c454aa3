using Berth.Containers.Create;

namespace Berth.Tests.Unit.Containers;

public sealed class LinkEnvironmentTests
{
    [Fact]
    public void Variables_are_dockerds_for_ports_a_run_of_ports_the_name_and_the_environment()
    {
        var env = LinkEnvironment.For("/web/db-main", "172.17.0.2", ["FOO=bar", "PATH=/bin", "HOME=/root", "NOVALUE"], ["80/tcp", "53/udp"]);
        Assert.Equal(
            [
                "DB_MAIN_PORT=udp://172.17.0.2:53",
                "DB_MAIN_PORT_53_UDP=udp://172.17.0.2:53", "DB_MAIN_PORT_53_UDP_ADDR=172.17.0.2", "DB_MAIN_PORT_53_UDP_PORT=53", "DB_MAIN_PORT_53_UDP_PROTO=udp",
                "DB_MAIN_PORT_80_TCP=tcp://172.17.0.2:80", "DB_MAIN_PORT_80_TCP_ADDR=172.17.0.2", "DB_MAIN_PORT_80_TCP_PORT=80", "DB_MAIN_PORT_80_TCP_PROTO=tcp",
                "DB_MAIN_NAME=/web/db-main",
                "DB_MAIN_ENV_FOO=bar",
            ],
            env);
    }

    [Fact]
    public void Tcp_comes_before_udp_on_the_same_port_and_consecutive_ports_get_start_and_end()
    {
        var env = LinkEnvironment.For("/p/r", "10.0.0.3", [], ["7002", "7001/udp", "7000/tcp", "7001/tcp"]);
        Assert.Equal(
            [
                "R_PORT=tcp://10.0.0.3:7000",
                "R_PORT_7000_TCP_START=tcp://10.0.0.3:7000", "R_PORT_7000_TCP_ADDR=10.0.0.3", "R_PORT_7000_TCP_PROTO=tcp", "R_PORT_7000_TCP_PORT_START=7000",
                "R_PORT_7000_TCP_END=tcp://10.0.0.3:7002", "R_PORT_7000_TCP_PORT_END=7002",
            ],
            env.Take(7));
        Assert.Equal(["R_PORT_7001_TCP=tcp://10.0.0.3:7001", "R_PORT_7001_UDP=udp://10.0.0.3:7001"], env.Where(e => e.StartsWith("R_PORT_7001_", StringComparison.Ordinal) && e.Contains("://", StringComparison.Ordinal)));
        Assert.Equal("R_NAME=/p/r", env[^1]);
    }

    [Fact]
    public void A_container_without_ports_gets_only_its_name_and_environment()
    {
        Assert.Equal(["X_NAME=/a/x", "X_ENV_A=1=2"], LinkEnvironment.For("/a/x", "10.0.0.9", ["A=1=2"], []));
    }
}
