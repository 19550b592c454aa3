using Berth.Core.Errors;
using Berth.Core.Model;
using Berth.Images.Formats;

namespace Berth.Tests.Unit.Images;

public sealed class ConfigChangesTests
{
    private static ImageConfig Apply(params string[] changes) => ConfigChanges.Apply(new ImageConfig { Env = ["PATH=/bin"] }, changes);

    [Fact]
    public void Cmd_and_entrypoint_take_exec_and_shell_forms()
    {
        Assert.Equal(["cat", "/marker"], Apply("CMD [\"cat\",\"/marker\"]").Cmd);
        Assert.Equal(["/bin/sh", "-c", "echo hi"], Apply("CMD echo hi").Cmd);
        var c = ConfigChanges.Apply(new ImageConfig { Cmd = ["sh"] }, ["ENTRYPOINT [\"/init\"]"]);
        Assert.Equal(["/init"], c.Entrypoint);
        Assert.Null(c.Cmd); // ENTRYPOINT resets an inherited CMD
        var both = ConfigChanges.Apply(new ImageConfig(), ["CMD [\"a\"]", "ENTRYPOINT [\"b\"]"]);
        Assert.Equal(["a"], both.Cmd);
    }

    [Fact]
    public void Env_supports_pairs_quotes_legacy_form_and_substitution()
    {
        var c = Apply("ENV A=1 B=\"two words\" C='x y'", "ENV PATH=/usr/bin:$PATH", "ENV LEGACY value with spaces", "env lower=yes");
        Assert.Equal(["A=1", "B=two words", "C=x y", "PATH=/usr/bin:/bin", "LEGACY=value with spaces", "lower=yes"], c.Env);
    }

    [Fact]
    public void Label_expose_volume_user_workdir_stopsignal_onbuild()
    {
        var c = Apply("LABEL a=b \"c d\"=e", "EXPOSE 80 53/udp 8000-8001", "VOLUME /data", "VOLUME [\"/x\", \"/y\"]", "USER nobody", "WORKDIR /app", "WORKDIR sub", "STOPSIGNAL SIGINT", "ONBUILD RUN make");
        Assert.Equal("b", c.Labels["a"]);
        Assert.Equal("e", c.Labels["c d"]);
        Assert.Equal(["80/tcp", "53/udp", "8000/tcp", "8001/tcp"], c.ExposedPorts);
        Assert.Equal(["/data", "/x", "/y"], c.Volumes);
        Assert.Equal("nobody", c.User);
        Assert.Equal("/app/sub", c.WorkingDir);
        Assert.Equal("SIGINT", c.StopSignal);
        Assert.Equal(["RUN make"], c.OnBuild);
    }

    [Fact]
    public void Healthcheck_parses_flags_and_forms()
    {
        var c = Apply("HEALTHCHECK --interval=5s --timeout=2s --retries=3 --start-period=1m CMD curl -f http://localhost/");
        Assert.Equal(["CMD-SHELL", "curl -f http://localhost/"], c.Healthcheck!.Test);
        Assert.Equal(5_000_000_000, c.Healthcheck.Interval);
        Assert.Equal(2_000_000_000, c.Healthcheck.Timeout);
        Assert.Equal(60_000_000_000, c.Healthcheck.StartPeriod);
        Assert.Equal(3, c.Healthcheck.Retries);
        Assert.Equal(["CMD", "true"], Apply("HEALTHCHECK CMD [\"true\"]").Healthcheck!.Test);
        Assert.Equal(["NONE"], Apply("HEALTHCHECK NONE").Healthcheck!.Test);
    }

    [Theory]
    [InlineData("FROM busybox", "FROM is not a valid change command")]
    [InlineData("RUN true", "RUN is not a valid change command")]
    [InlineData("EXPOSE 80/xyz", "invalid proto: xyz")]
    [InlineData("HEALTHCHECK --bogus=1 CMD true", "Unknown flag: bogus")]
    [InlineData("ENV", "ENV requires at least one argument")]
    public void Invalid_changes_are_refused(string change, string message)
    {
        var e = Assert.Throws<BerthException>(() => Apply(change));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(message, e.Message);
    }
}
