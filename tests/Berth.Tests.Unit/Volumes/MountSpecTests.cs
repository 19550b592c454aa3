using Berth.Containers.Create;
using Berth.Containers.Model;
using Berth.Core.Errors;

namespace Berth.Tests.Unit.Volumes;

public sealed class MountSpecTests
{
    [Fact]
    public void Named_volume_bind_spec()
    {
        var m = MountParser.ParseBind("data:/srv/data:ro");
        Assert.Equal("volume", m.Type);
        Assert.Equal("data", m.Name);
        Assert.Equal("/srv/data", m.Destination);
        Assert.False(m.RW);
        Assert.Equal("ro", m.Mode);
    }

    [Fact]
    public void Anonymous_volume_and_nocopy()
    {
        var anon = MountParser.ParseBind("/cache");
        Assert.Equal("volume", anon.Type);
        Assert.Equal(string.Empty, anon.Name);
        Assert.True(MountParser.ParseBind("v1:/x:nocopy").NoCopy);
        Assert.Equal("z", MountParser.ParseBind("v1:/x").Mode);
    }

    [Fact]
    public void Host_path_bind_spec_keeps_its_mode()
    {
        var m = MountParser.ParseBind("/host/dir:/ctr:rw,Z");
        Assert.Equal("bind", m.Type);
        Assert.Equal("/host/dir", m.Source);
        Assert.True(m.RW);
        Assert.Contains("rbind", m.Options);
    }

    [Theory]
    [InlineData("data:relative", "invalid volume specification: 'data:relative': invalid mount config for type \"bind\": invalid mount path: 'relative' mount path must be absolute")]
    [InlineData("/a:/b:bogus", "invalid mode: bogus")]
    [InlineData("/a:/b:nocopy", "invalid volume specification: '/a:/b:nocopy'")]
    public void Bad_specs_give_dockers_messages(string spec, string message)
    {
        var e = Assert.Throws<BerthException>(() => MountParser.ParseBind(spec));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Mount_bind_source_must_exist()
    {
        var e = Assert.Throws<BerthException>(() => MountParser.FromSpec(new MountSpec { Type = "bind", Source = "/definitely/not/here", Target = "/x" }));
        Assert.Equal("invalid mount config for type \"bind\": bind source path does not exist: /definitely/not/here", e.Message);
    }

    [Fact]
    public void Mount_volume_carries_nocopy_labels_and_readonly()
    {
        var m = MountParser.FromSpec(new MountSpec
        {
            Type = "volume",
            Source = "v",
            Target = "/data/",
            ReadOnly = true,
            VolumeNoCopy = true,
            VolumeLabels = new Dictionary<string, string> { ["x"] = "y" },
        });
        Assert.Equal(("volume", "v", "/data", false, true), (m.Type, m.Name, m.Destination, m.RW, m.NoCopy));
        Assert.Equal("y", m.VolumeLabels!["x"]);
    }

    [Fact]
    public void Duplicate_destinations_are_refused()
    {
        var e = Assert.Throws<BerthException>(() => MountParser.Parse(new HostConfig { Binds = ["a1:/d", "/tmp:/d"] }));
        Assert.Equal("Duplicate mount point: /d", e.Message);
    }
}
