using Berth.Core.Errors;
using Berth.Runtime.Logging;

namespace Berth.Tests.Unit.Runtime;

/// <summary>Log-opts checked as dockerd 20.10 checks them (logger.ValidateLogOpts and each driver's New), with its messages.</summary>
public sealed class LogDriverTests
{
    private static LogSettings Resolve(string driver, params (string Key, string Value)[] options) =>
        LogDriver.Resolve(driver, options.ToDictionary(o => o.Key, o => o.Value));

    private static string Refused(string driver, params (string Key, string Value)[] options) =>
        Assert.Throws<BerthException>(() => Resolve(driver, options)).Message;

    [Fact]
    public void Local_DefaultsAreDockers()
    {
        var s = Resolve("local");
        Assert.Same(LogDriver.Local, s.Driver);
        Assert.Equal(new LogRotation(20 * 1024 * 1024, 5, Compress: true), s.Rotation);
        Assert.Equal(LogMode.Blocking, s.Mode);
        Assert.Equal(new LogRotation(10_000_000, 3, false), Resolve("local", ("max-size", "10m"), ("max-file", "3"), ("compress", "false")).Rotation);
    }

    [Fact]
    public void JsonFile_DefaultsAndSizes()
    {
        Assert.Equal(LogRotation.Unlimited, Resolve("json-file").Rotation);

        // go-units FromHumanSize: decimal units for max-size.
        Assert.Equal(new LogRotation(10_000_000, 3), Resolve("json-file", ("max-size", "10m"), ("max-file", "3")).Rotation);
        Assert.Equal(1500, Resolve("json-file", ("max-size", "1.5kb")).Rotation.MaxSize);
        Assert.Equal(new LogRotation(1000, 2, true), Resolve("json-file", ("max-size", "1k"), ("max-file", "2"), ("compress", "true")).Rotation);

        // dockerd accepts max-file alone; without max-size nothing rotates.
        Assert.Equal(new LogRotation(-1, 3), Resolve("json-file", ("max-file", "3")).Rotation);
    }

    [Fact]
    public void RamInBytes_IsBinary()
    {
        Assert.Equal(1536, LogRotation.ParseSize("1.5k"));
        Assert.Equal(2L << 30, LogRotation.ParseSize("2g"));
        Assert.Equal(64L << 20, LogRotation.ParseSize("64MiB"));
        Assert.Equal("invalid size: 'x1'", Assert.Throws<BerthException>(() => LogRotation.ParseSize("x1")).Message);
    }

    [Fact]
    public void Mode_AndMaxBufferSize_ForEveryDriver()
    {
        foreach (var driver in new[] { "json-file", "local" })
        {
            var s = Resolve(driver, ("mode", "non-blocking"));
            Assert.Equal(LogMode.NonBlocking, s.Mode);
            Assert.Equal(1_000_000, s.MaxBufferSize);
            Assert.Equal(4L << 20, Resolve(driver, ("mode", "non-blocking"), ("max-buffer-size", "4m")).MaxBufferSize);
            Assert.Equal(LogMode.Blocking, Resolve(driver, ("mode", "blocking")).Mode);
            Assert.Equal("logger: logging mode not supported: lossy", Refused(driver, ("mode", "lossy")));
            Assert.Equal("logger: max-buffer-size option is only supported with 'mode=non-blocking'", Refused(driver, ("max-buffer-size", "1m")));
            Assert.Equal("logger: max-buffer-size option is only supported with 'mode=non-blocking'", Refused(driver, ("mode", "blocking"), ("max-buffer-size", "1m")));
            Assert.Equal("error parsing option max-buffer-size: invalid size: 'lots'", Refused(driver, ("mode", "non-blocking"), ("max-buffer-size", "lots")));
        }
    }

    [Fact]
    public void Messages_AreDockerds()
    {
        Assert.Equal("logger: no log driver named 'syslog2' is registered", Refused("syslog2"));
        Assert.Equal("unknown log opt 'foo' for json-file log driver", Refused("json-file", ("foo", "1")));
        Assert.Equal("unknown log opt 'tag' for log driver local", Refused("local", ("tag", "x")));
        Assert.Equal("unknown log opt 'max-size' for none log driver", Refused("none", ("max-size", "1m")));

        Assert.Equal("failed to initialize logging driver: invalid size: 'big'", Refused("json-file", ("max-size", "big")));
        Assert.Equal("failed to initialize logging driver: max-size must be a positive number", Refused("json-file", ("max-size", "0")));
        Assert.Equal("failed to initialize logging driver: strconv.Atoi: parsing \"x\": invalid syntax", Refused("json-file", ("max-file", "x")));
        Assert.Equal("failed to initialize logging driver: max-file cannot be less than 1", Refused("json-file", ("max-file", "0")));
        Assert.Equal("failed to initialize logging driver: strconv.ParseBool: parsing \"yes\": invalid syntax", Refused("json-file", ("compress", "yes")));
        Assert.Equal("failed to initialize logging driver: compress cannot be true when max-file is less than 2 or max-size is not set", Refused("json-file", ("compress", "true"), ("max-file", "3")));

        Assert.Equal("failed to initialize logging driver: invalid value for max-size: big: invalid size: 'big'", Refused("local", ("max-size", "big")));
        Assert.Equal("failed to initialize logging driver: invalid value for max-file: x: strconv.Atoi: parsing \"x\": invalid syntax", Refused("local", ("max-file", "x")));
        Assert.Equal("failed to initialize logging driver: error reading compress log option: strconv.ParseBool: parsing \"no!\": invalid syntax", Refused("local", ("compress", "no!")));
        Assert.Equal("failed to initialize logging driver: max file count cannot be less than 0", Refused("local", ("max-file", "-1"), ("compress", "false")));
        Assert.Equal("failed to initialize logging driver: compression cannot be enabled when max file count is 1", Refused("local", ("max-file", "1")));
        Assert.Equal(new LogRotation(20 * 1024 * 1024, 1, false), Resolve("local", ("max-file", "1"), ("compress", "false")).Rotation);

        Assert.Equal(ErrorKind.NotImplemented, Assert.Throws<BerthException>(() => Resolve("json-file", ("labels", "a"))).Kind);
    }

    [Fact]
    public void Monitor_configs_say_version_3_only_when_they_use_what_version_2_monitors_lack()
    {
        Assert.Equal(2, Berth.Runtime.Monitor.MonitorConfig.VersionFor(Resolve("json-file", ("max-size", "1m"), ("max-file", "2"))));
        Assert.Equal(2, Berth.Runtime.Monitor.MonitorConfig.VersionFor(Resolve("none")));
        Assert.Equal(3, Berth.Runtime.Monitor.MonitorConfig.VersionFor(Resolve("local", ("compress", "false"))));
        Assert.Equal(3, Berth.Runtime.Monitor.MonitorConfig.VersionFor(Resolve("json-file", ("max-size", "1m"), ("max-file", "2"), ("compress", "true"))));
        Assert.Equal(3, Berth.Runtime.Monitor.MonitorConfig.VersionFor(Resolve("json-file", ("mode", "non-blocking"))));

        var v3 = new Berth.Runtime.Monitor.MonitorConfig { Id = "a", RuntimePath = "r", RuntimeRoot = "rr", StateDir = "s", SocketPath = "p", LogDriver = "local", LogCompress = true, LogNonBlocking = true, LogMaxBufferSize = 4096 };
        Assert.Equal(v3, Berth.Runtime.Monitor.MonitorConfig.Parse(v3.Format()));
        var v2 = v3 with { Version = 2, LogDriver = "json-file", LogCompress = false, LogNonBlocking = false, LogMaxBufferSize = LogSettings.DefaultMaxBufferSize };
        Assert.DoesNotContain("log-mode", v2.Format(), StringComparison.Ordinal);
        Assert.Equal(v2, Berth.Runtime.Monitor.MonitorConfig.Parse(v2.Format()));
    }
}
