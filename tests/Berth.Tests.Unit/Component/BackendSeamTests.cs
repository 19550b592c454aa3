using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Containers;
using Berth.Containers.Archive;
using Berth.Containers.Model;
using Berth.Core.Errors;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Tests.Unit.Component;

/// <summary>
/// The container routes reach the engine only through their group's backend interface: a daemon
/// whose IContainerArchive is a fake serves docker cp's routes from the fake, with the real HTTP
/// edge (header encoding, Docker's errors) around it.
/// </summary>
public sealed class BackendSeamTests(BackendSeamTests.FakeArchiveDaemon daemon) : IClassFixture<BackendSeamTests.FakeArchiveDaemon>
{
    [Fact]
    public async Task Archive_routes_are_served_by_the_registered_archive_backend()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/v1.50/containers/anything/archive?path=/etc");
        using var response = await daemon.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stat = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(response.Headers.GetValues("X-Docker-Container-Path-Stat").Single())))!;
        Assert.Equal("etc", (string?)stat["name"]);
        Assert.Equal(("anything", "/etc"), daemon.Archive.LastStat);
    }

    [Fact]
    public async Task The_fake_backends_errors_reach_the_client_in_dockers_shape()
    {
        using var response = await daemon.Http.GetAsync("/v1.50/containers/gone/export");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("No such container: gone", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]);
    }

    /// <summary>The in-process daemon with its archive backend replaced.</summary>
    public sealed class FakeArchiveDaemon : InProcessDaemon
    {
        public FakeArchive Archive { get; } = new();

        protected override void ReplaceServices(IServiceCollection services) => services.AddSingleton<IContainerArchive>(Archive);
    }

    /// <summary>Answers stat for any container and path; knows no container otherwise.</summary>
    public sealed class FakeArchive : IContainerArchive
    {
        public (string Id, string Path)? LastStat { get; private set; }

        public Container Get(string idOrName) => throw BerthException.NotFound($"No such container: {idOrName}");

        public Task<ArchiveStat> StatPathAsync(string idOrName, string path, CancellationToken cancellationToken)
        {
            LastStat = (idOrName, path);
            return Task.FromResult(new ArchiveStat(Path.GetFileName(path), 4096, (1u << 31) | 0x1ED, DateTimeOffset.UnixEpoch, string.Empty));
        }

        public Task ExportAsync(string idOrName, Stream output, CancellationToken cancellationToken) => throw BerthException.NotFound($"No such container: {idOrName}");

        public Task GetArchiveAsync(string idOrName, string path, Func<ArchiveStat, Stream> start, CancellationToken cancellationToken) => throw BerthException.NotFound($"No such container: {idOrName}");

        public Task PutArchiveAsync(string idOrName, string path, Stream input, bool noOverwriteDirNonDir, bool copyUidGid, CancellationToken cancellationToken) => throw BerthException.NotFound($"No such container: {idOrName}");
    }
}
