using Berth.Core.Errors;
using Berth.Core.Events;
using Berth.Core.Filters;
using Berth.Volumes;

namespace Berth.Tests.Unit.Volumes;

public sealed class VolumeServiceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "berth-vol-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Dictionary<string, List<string>> _users = new(StringComparer.Ordinal);

    private sealed class Usage(Dictionary<string, List<string>> users) : IVolumeUsage
    {
        public IReadOnlyList<string> ContainersUsing(string volumeName) => users.TryGetValue(volumeName, out var u) ? u : [];
    }

    private VolumeService NewService() => new(_root, new EventBus(TimeProvider.System), TimeProvider.System, () => new Usage(_users));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Create_makes_the_data_dir_persists_labels_and_is_idempotent()
    {
        var svc = NewService();
        var v = svc.Create(new CreateVolumeRequest { Name = "data1", Labels = new Dictionary<string, string> { ["a"] = "b" } });
        Assert.Equal(Path.Combine(_root, "volumes", "data1", "_data"), v.Mountpoint);
        Assert.True(Directory.Exists(v.Mountpoint));
        Assert.Equal("local", v.Driver);
        Assert.Same(v, svc.Create(new CreateVolumeRequest { Name = "data1" }));

        var reloaded = NewService().Get("data1");
        Assert.Equal("b", reloaded.Labels["a"]);
        Assert.Equal(v.CreatedAt, reloaded.CreatedAt);
    }

    [Fact]
    public void Anonymous_volumes_get_a_64_hex_name()
    {
        var v = NewService().Create(new CreateVolumeRequest { Labels = new Dictionary<string, string> { [Volume.AnonymousLabel] = string.Empty } });
        Assert.Matches("^[0-9a-f]{64}$", v.Name);
        Assert.True(v.IsAnonymous);
    }

    [Theory]
    [InlineData("-bad")]
    [InlineData("has/slash")]
    public void Invalid_names_are_refused_with_dockers_message(string name)
    {
        var e = Assert.Throws<BerthException>(() => NewService().Create(new CreateVolumeRequest { Name = name }));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal($"create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", e.Message);
    }

    [Fact]
    public void Short_and_overlong_names_are_refused_before_any_directory_is_made()
    {
        // dockerd 20.10's words for a one-character name; a name longer than NAME_MAX was a 500 at mkdir.
        var shortName = Assert.Throws<BerthException>(() => NewService().Create(new CreateVolumeRequest { Name = "a" }));
        Assert.Equal("create a: volume name is too short, names should be at least two alphanumeric characters", shortName.Message);
        var longName = Assert.Throws<BerthException>(() => NewService().Create(new CreateVolumeRequest { Name = new string('a', 300) }));
        Assert.Equal(ErrorKind.InvalidArgument, longName.Kind);
        Assert.Contains("volume name is too long", longName.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_driver_options_are_refused()
    {
        var e = Assert.Throws<BerthException>(() => NewService().Create(new CreateVolumeRequest { Name = "opt", DriverOpts = new Dictionary<string, string> { ["bogus"] = "1" } }));
        Assert.Equal("invalid option: \"bogus\"", e.Message);
    }

    [Fact]
    public void Remove_refuses_a_volume_in_use_and_reports_missing_ones()
    {
        var svc = NewService();
        svc.Create(new CreateVolumeRequest { Name = "busy" });
        _users["busy"] = ["c1"];
        var e = Assert.Throws<BerthException>(() => svc.Remove("busy", force: false));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Equal("remove busy: volume is in use - [c1]", e.Message);

        _users.Clear();
        svc.Remove("busy", force: false);
        Assert.False(Directory.Exists(Path.Combine(_root, "volumes", "busy")));
        var missing = Assert.Throws<BerthException>(() => svc.Remove("busy", force: false));
        Assert.Equal("get busy: no such volume", missing.Message);
        svc.Remove("busy", force: true);
    }

    [Fact]
    public void Prune_removes_only_unused_anonymous_volumes_unless_all()
    {
        var svc = NewService();
        svc.Create(new CreateVolumeRequest { Name = "named" });
        var anon = svc.Create(new CreateVolumeRequest { Labels = new Dictionary<string, string> { [Volume.AnonymousLabel] = string.Empty } });
        var used = svc.Create(new CreateVolumeRequest { Labels = new Dictionary<string, string> { [Volume.AnonymousLabel] = string.Empty } });
        _users[used.Name] = ["c1"];

        var first = svc.Prune(FilterSet.Empty, anonymousOnlyByDefault: true);
        Assert.Equal([anon.Name], first.Deleted);
        Assert.NotNull(svc.TryGet("named"));

        var all = svc.Prune(FilterSet.Parse("{\"all\":[\"true\"]}"), anonymousOnlyByDefault: true);
        Assert.Equal(["named"], all.Deleted);
        Assert.NotNull(svc.TryGet(used.Name));
    }

    [Fact]
    public void A_create_interrupted_before_the_rename_leaves_no_volume_and_is_swept()
    {
        // What kill -9 during create leaves behind: a temporary directory that never got its name.
        var tmp = Path.Combine(_root, "volumes", ".tmp-deadbeef");
        Directory.CreateDirectory(Path.Combine(tmp, "_data"));
        File.WriteAllText(Path.Combine(tmp, "volume.json"), "{\"Name\":\"half");
        var svc = NewService();
        Assert.Empty(svc.List());
        Assert.False(Directory.Exists(tmp));
    }

    [Fact]
    public void List_filters_by_name_label_and_dangling()
    {
        var svc = NewService();
        svc.Create(new CreateVolumeRequest { Name = "alpha", Labels = new Dictionary<string, string> { ["k"] = "v" } });
        svc.Create(new CreateVolumeRequest { Name = "beta" });
        _users["beta"] = ["c"];
        Assert.Equal(["alpha"], svc.List(FilterSet.Parse("{\"label\":[\"k=v\"]}")).Select(v => v.Name));
        Assert.Equal(["beta"], svc.List(FilterSet.Parse("{\"name\":[\"bet\"]}")).Select(v => v.Name));
        Assert.Equal(["alpha"], svc.List(FilterSet.Parse("{\"dangling\":[\"true\"]}")).Select(v => v.Name));
    }
}
