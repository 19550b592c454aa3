using System.Text.Json.Nodes;
using Berth.Cli;
using Berth.Cli.Commands;
using Berth.Cli.Parsing;

namespace Berth.Tests.Unit.Cli;

public sealed class CommandTests
{
    private static IEnumerable<CommandSpec> All(CommandSpec c)
    {
        yield return c;
        foreach (var child in c.Children)
        {
            foreach (var x in All(child))
            {
                yield return x;
            }
        }
    }

    [Fact]
    public void Every_command_has_unique_flag_names_and_shorthands_and_a_description()
    {
        foreach (var cmd in All(CommandTree.Build("berth")))
        {
            var flags = cmd.AllFlags().ToList();
            Assert.True(flags.Select(f => f.Name).Distinct().Count() == flags.Count, $"duplicate flag name in {cmd.Path}");
            var shorts = flags.Where(f => f.Short != '\0').Select(f => f.Short).ToList();
            Assert.True(shorts.Distinct().Count() == shorts.Count, $"duplicate shorthand in {cmd.Path}");
            Assert.False(string.IsNullOrWhiteSpace(cmd.Short), $"{cmd.Path} has no description");
        }
    }

    [Fact]
    public void Shortcuts_and_management_commands_are_both_there()
    {
        var root = CommandTree.Build("berth");
        foreach (var path in new[] { "ps", "run", "images", "rmi", "exec", "container ls", "container ps", "container run", "image ls", "image rm", "image remove", "system df", "network ls", "volume ls", "build", "image build", "login", "logout", "push" })
        {
            var c = root;
            foreach (var part in path.Split(' '))
            {
                c = c.FindChild(part);
                Assert.True(c is not null, $"missing command {path}");
            }

            Assert.NotNull(c!.Run);
        }
    }

    [Fact]
    public void Ps_help_has_dockers_layout_and_flags_in_berths_words()
    {
        var root = CommandTree.Build("berth");
        var help = HelpWriter.Render(root.FindChild("ps")!, 79);
        const string expected = """
            Usage:  berth ps [OPTIONS]

            Show containers

            Aliases:
              berth container ls, berth container list, berth container ps, berth ps

            Options:
              -a, --all             Include stopped containers
              -f, --filter filter   Show only what matches a condition (key=value)
                  --format string   Shape of the output:
                                    'table':            a table with a header line
                                    (default)
                                    'table TEMPLATE':   a table whose columns a Go
                                    template gives
                                    'json':             one JSON object per line
                                    'TEMPLATE':         a Go template per item.
                                    Templates work as in Docker:
                                    https://docs.docker.com/go/formatting/
              -n, --last int        The n most recently made containers, in any state
                                    (default -1)
              -l, --latest          The most recently made container, in any state
                  --no-trunc        Print full values
              -q, --quiet           Print container IDs only
              -s, --size            Add the size of each container's files

            """;
        Assert.Equal(expected.Replace("\r", string.Empty, StringComparison.Ordinal), help);
    }

    [Fact]
    public void Argument_count_errors_use_dockers_wording()
    {
        Assert.Equal(
            "berth: 'berth rm' requires at least 1 argument\n\nUsage:  berth rm [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'berth rm --help' for more information",
            ArgRule.AtLeast(1).Check(0, "berth rm", "berth rm [OPTIONS] CONTAINER [CONTAINER...]"));
        Assert.Equal(
            "berth: 'berth rename' requires 2 arguments\n\nUsage:  berth rename CONTAINER NEW_NAME\n\nRun 'berth rename --help' for more information",
            ArgRule.Exactly(2).Check(1, "berth rename", "berth rename CONTAINER NEW_NAME"));
        Assert.Null(ArgRule.None.Check(0, "berth ps", "berth ps"));
    }

    private static JsonObject Body(params string[] args)
    {
        var flags = FlagParser.Parse(ContainerOptions.Flags(run: true), args, interspersed: false);
        return ContainerOptions.Build(flags, flags.Args[0], flags.Args.Skip(1).ToList(), false, null).Body;
    }

    [Fact]
    public void Ulimits_are_sent_sorted_by_name_with_the_last_value_of_each()
    {
        var b = Body("--ulimit", "nofile=100:200", "--ulimit", "nproc=50", "--ulimit", "nofile=300", "--ulimit", "core=-1", "busybox");
        Assert.Equal("[{\"Name\":\"core\",\"Hard\":-1,\"Soft\":-1},{\"Name\":\"nofile\",\"Hard\":300,\"Soft\":300},{\"Name\":\"nproc\",\"Hard\":50,\"Soft\":50}]", b["HostConfig"]!["Ulimits"]!.ToJsonString());
        Assert.Null(Body("busybox")["HostConfig"]!["Ulimits"]);
        var bad = Assert.Throws<UsageException>(() => Body("--ulimit", "nofile=10:5", "busybox"));
        Assert.Equal("invalid argument \"nofile=10:5\" for \"--ulimit\" flag: ulimit soft limit must be less than or equal to hard limit: 10 > 5", bad.Message);
    }

    [Fact]
    public void Run_flags_become_the_create_body_as_docker_sends_it()
    {
        var b = Body("-i", "-e", "A=1", "-l", "tier=web", "-p", "127.0.0.1:8080:80", "-p", "53/udp", "--expose", "90-91",
            "-v", "/host:/in:ro", "-v", "/anon", "--restart", "on-failure:3", "-m", "64m", "--cpus", "1.5", "--pids-limit", "10",
            "--init", "--cap-add", "NET_ADMIN", "--entrypoint", "", "-w", "/w", "-u", "nobody", "--hostname", "h", "busybox", "sh", "-c", "x");
        Assert.Equal("busybox", b["Image"]!.GetValue<string>());
        Assert.Equal("[\"sh\",\"-c\",\"x\"]", b["Cmd"]!.ToJsonString());
        Assert.Equal("[\"\"]", b["Entrypoint"]!.ToJsonString());
        Assert.True(b["OpenStdin"]!.GetValue<bool>() && b["AttachStdin"]!.GetValue<bool>() && b["StdinOnce"]!.GetValue<bool>());
        Assert.Equal("[\"A=1\"]", b["Env"]!.ToJsonString());
        Assert.Equal("{\"tier\":\"web\"}", b["Labels"]!.ToJsonString());
        Assert.Equal("{\"80/tcp\":{},\"53/udp\":{},\"90/tcp\":{},\"91/tcp\":{}}".Length, b["ExposedPorts"]!.ToJsonString().Length);
        Assert.Equal("{\"/anon\":{}}", b["Volumes"]!.ToJsonString());
        var host = b["HostConfig"]!;
        Assert.Equal("[\"/host:/in:ro\"]", host["Binds"]!.ToJsonString());
        Assert.Equal("[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"}]", host["PortBindings"]!["80/tcp"]!.ToJsonString());
        Assert.Equal("[{\"HostIp\":\"\",\"HostPort\":\"\"}]", host["PortBindings"]!["53/udp"]!.ToJsonString());
        Assert.Equal("{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}", host["RestartPolicy"]!.ToJsonString());
        Assert.Equal(67108864, host["Memory"]!.GetValue<long>());
        Assert.Equal(1_500_000_000, host["NanoCpus"]!.GetValue<long>());
        Assert.Equal(10, host["PidsLimit"]!.GetValue<long>());
        Assert.True(host["Init"]!.GetValue<bool>());
        Assert.Equal("default", host["NetworkMode"]!.GetValue<string>());
    }

    [Fact]
    public void Health_flags_make_a_healthcheck_and_no_healthcheck_disables_it()
    {
        var b = Body("--health-cmd", "test -f /ok", "--health-interval", "1s", "--health-retries", "2", "busybox");
        Assert.Equal("{\"Test\":[\"CMD-SHELL\",\"test -f /ok\"],\"Interval\":1000000000,\"Timeout\":0,\"StartPeriod\":0,\"StartInterval\":0,\"Retries\":2}", b["Healthcheck"]!.ToJsonString());
        Assert.Equal("{\"Test\":[\"NONE\"]}", Body("--no-healthcheck", "busybox")["Healthcheck"]!.ToJsonString());
        Assert.Throws<CliException>(() => Body("--no-healthcheck", "--health-cmd", "x", "busybox"));
    }

    [Fact]
    public void Mount_specs_parse_to_api_mounts()
    {
        Assert.Equal("{\"Type\":\"volume\",\"Source\":\"data\",\"Target\":\"/data\",\"ReadOnly\":true}", MountSpec.Parse("type=volume,src=data,dst=/data,readonly").ToJsonString());
        Assert.Equal("{\"Type\":\"tmpfs\",\"Target\":\"/t\",\"TmpfsOptions\":{\"SizeBytes\":1048576}}", MountSpec.Parse("type=tmpfs,target=/t,tmpfs-size=1m").ToJsonString());
        Assert.Throws<CliException>(() => MountSpec.Parse("type=bind,src=/x"));
    }

    [Fact]
    public void Conflicting_and_invalid_run_options_are_refused_with_exit_125()
    {
        Assert.Equal(125, Assert.Throws<CliException>(() => Body("--rm", "--restart", "always", "busybox")).ExitCode);
        Assert.Equal(125, Assert.Throws<CliException>(() => Body("--restart", "on-failure:x", "busybox")).ExitCode);
        Assert.Equal(125, Assert.Throws<CliException>(() => Body("-p", "99999:80", "busybox")).ExitCode);
    }

    [Fact]
    public void Filters_encode_as_dockers_json()
    {
        Assert.Equal("{\"label\":{\"a=b\":true},\"status\":{\"exited\":true,\"running\":true}}", Common.FiltersJson(["status=running", "label=a=b", "status=exited"]));
        Assert.Null(Common.FiltersJson([]));
    }

    [Fact]
    public void Dockerignore_follows_patternmatcher_rules()
    {
        var ignore = new DockerIgnore(["# comment", "*.log", "build", "**/tmp", "!keep.log", "docs/*.md", "!docs/README.md"]);
        Assert.True(ignore.IsExcluded("a.log"));
        Assert.False(ignore.IsExcluded("keep.log"));
        Assert.True(ignore.IsExcluded("build/out/x"));
        Assert.True(ignore.IsExcluded("a/b/tmp/x"));
        Assert.True(ignore.IsExcluded("docs/x.md"));
        Assert.False(ignore.IsExcluded("docs/README.md"));
        Assert.False(ignore.IsExcluded("src/a.cs"));
        Assert.True(ignore.CanSkipDirectory("build"));
    }

    [Theory]
    [InlineData("10m", 1_700_000_000 - 600)]
    [InlineData("2023-11-14T22:13:20Z", 1_700_000_000)]
    public void Since_and_until_become_unix_timestamps(string value, long seconds)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        Assert.Equal($"{seconds}.000000000", TimeArg.ToTimestamp(value, now));
    }

    [Fact]
    public void Detach_keys_parse_like_docker()
    {
        Assert.Equal([16, 17], Berth.Cli.Streams.DetachKeys.Parse("ctrl-p,ctrl-q"));
        Assert.Equal([(byte)'a', 27], Berth.Cli.Streams.DetachKeys.Parse("a,ctrl-["));
    }
}
