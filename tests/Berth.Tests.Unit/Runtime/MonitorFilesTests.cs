using Berth.Core.Errors;
using Berth.Runtime.Monitor;

namespace Berth.Tests.Unit.Runtime;

public sealed class MonitorFilesTests
{
    [Fact]
    public void MonitorConfig_RoundTrips()
    {
        var config = new MonitorConfig
        {
            Id = "abc",
            RuntimePath = "/usr/sbin/runc",
            RuntimeRoot = "/run/berth/runtime/runc",
            StateDir = "/run/berth/containers/abc",
            SocketPath = "/run/berth/m/abc",
            LogPath = "/var/lib/berth/containers/abc/abc-json.log",
            LogMaxSize = 1024,
            LogMaxFiles = 3,
            Tty = true,
            OpenStdin = true,
            CgroupPath = "/berth/abc",
        };
        Assert.Equal(config, MonitorConfig.Parse(config.Format()));
        Assert.Throws<ArgumentException>(() => (config with { LogPath = "a\nb" }).Format());
    }

    [Fact]
    public void MonitorConfig_WritesItsVersion_ReadsTheUnversionedFormatAsVersion1_AndRefusesNewerOnes()
    {
        var text = new MonitorConfig { Id = "abc", RuntimePath = "/r", RuntimeRoot = "/rr", StateDir = "/s", SocketPath = "/m" }.Format();
        Assert.StartsWith($"version={MonitorConfig.CurrentVersion}\n", text, StringComparison.Ordinal);
        Assert.Equal(MonitorConfig.CurrentVersion, MonitorConfig.Parse(text).Version);

        // What berthd wrote before versions existed.
        var previous = "id=abc\nruntime=/usr/sbin/runc\nruntime-root=/rr\nstate-dir=/s\nsocket=/m\nlog-driver=json-file\nlog-path=/l\nlog-max-size=-1\nlog-max-file=1\ntty=1\nstdin=0\ncgroup=/berth/abc\n";
        var old = MonitorConfig.Parse(previous);
        Assert.Equal((1, "abc", "/usr/sbin/runc", true, "/berth/abc"), (old.Version, old.Id, old.RuntimePath, old.Tty, old.CgroupPath));

        foreach (var v in new[] { "4", "0", "x", "" })
        {
            var e = Assert.Throws<MonitorVersionException>(() => MonitorConfig.Parse($"version={v}\n" + previous));
            Assert.Equal($"container abc is run by a monitor of version {v}, and this berth speaks versions 1 to {MonitorConfig.CurrentVersion} only: manage it with the berthd that started it, or upgrade this one", e.Message);
        }
    }

    [Fact]
    public void ExitRecord_RoundTrips()
    {
        var r = new ExitRecord(137, true, 1_700_000_000_000_000_000);
        Assert.Equal(r, ExitRecord.TryParse(r.Format()));
        var exit = r.ToRuntimeExit();
        Assert.Equal((137, true), (exit.ExitCode, exit.OomKilled));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), exit.ExitedAt);
        Assert.Null(ExitRecord.TryParse("garbage"));
        Assert.Null(ExitRecord.TryParse(null));
    }

    [Fact]
    public void StartErrors_UseDockersWording()
    {
        var e = StartErrors.ForCreate("runc", "runc run failed: unable to start container process: exec: \"x\": executable file not found in $PATH");
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"x\": executable file not found in $PATH: unknown", e.Message);
        Assert.Equal(ErrorKind.InvalidArgument, StartErrors.ForCreate("runc", "runc run failed: unable to start container process: exec: \"/etc\": permission denied").Kind);
        Assert.Equal(ErrorKind.Internal, StartErrors.ForCreate("runc", "runc run failed: something odd").Kind);
        Assert.Equal("OCI runtime exec failed: exec failed: boom: unknown", StartErrors.ForExec("exec failed: boom").Message);
    }

    [Fact]
    public void RuncLog_LastError()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{\"level\":\"warning\",\"msg\":\"w\",\"time\":\"t\"}\n{\"level\":\"error\",\"msg\":\"first\"}\n{\"level\":\"error\",\"msg\":\"runc run failed: x\",\"time\":\"t\"}\nnot json\n");
            Assert.Equal("runc run failed: x", RuncLog.LastError(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
