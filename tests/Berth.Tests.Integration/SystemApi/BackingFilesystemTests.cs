using System.Text.Json;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.SystemApi;

/// <summary>/info names the file system under the data root (dockerd probes it; it is not always ext4).</summary>
public sealed class BackingFilesystemTests : IAsyncLifetime
{
    private BerthDaemon _d = null!;

    public async Task InitializeAsync()
    {
        _d = await BerthDaemon.StartAsync("bfs");
        // The same daemon again, with its data root on a tmpfs.
        await _d.StopAsync();
        await Shell.CheckAsync("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", _d.DataRoot);
        await _d.RestartAsync();
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task Info_reports_a_tmpfs_data_root_as_tmpfs_with_d_type()
    {
        using var r = await _d.Http.GetAsync("/v1.50/info");
        var info = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        var status = info.GetProperty("DriverStatus").EnumerateArray().ToDictionary(p => p[0].GetString()!, p => p[1].GetString()!);
        Assert.Equal("tmpfs", status["Backing Filesystem"]);
        Assert.Equal("true", status["Supports d_type"]);
        Assert.Empty(Directory.GetDirectories(_d.DataRoot, "d_type-check-*"));
    }
}
