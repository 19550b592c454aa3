using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Tests.Clients;

/// <summary>
/// Docker.DotNet against berthd, driving create, start, logs, exec, wait and remove over the
/// unix socket. It is the maintained Docker.DotNet that Testcontainers 4 depends on (package
/// Docker.DotNet.Enhanced, same namespaces and assembly name): the original Docker.DotNet 3.125
/// package ships an assembly of the same name, so the two cannot share one test project.
/// </summary>
public sealed class DockerDotNetTests(ClientDaemon daemon) : IClassFixture<ClientDaemon>, IDisposable
{
    private readonly DockerClient _client = new DockerClientBuilder().WithEndpoint(new Uri(daemon.DockerHost)).Build();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task CreateStartWaitLogsRemove()
    {
        var created = await _client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = "busybox:latest",
            Cmd = ["sh", "-c", "echo to-out; echo to-err >&2; exit 3"],
            Env = ["GREETING=hi"],
            Labels = new Dictionary<string, string> { ["berth.test"] = "dotnet" },
        });
        Assert.True(await _client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters()));
        var waited = await _client.Containers.WaitContainerAsync(created.ID);
        Assert.Equal(3, waited.StatusCode);

        using (var logs = await _client.Containers.GetContainerLogsAsync(created.ID, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, CancellationToken.None))
        {
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(CancellationToken.None);
            Assert.Equal("to-out\n", stdout);
            Assert.Equal("to-err\n", stderr);
        }

        var inspect = await _client.Containers.InspectContainerAsync(created.ID);
        Assert.Equal("exited", inspect.State!.Status);
        Assert.Equal(3, inspect.State!.ExitCode);
        Assert.Equal("dotnet", inspect.Config!.Labels["berth.test"]);

        await _client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters());
        await Assert.ThrowsAsync<DockerContainerNotFoundException>(() => _client.Containers.InspectContainerAsync(created.ID));
    }

    [Fact]
    public async Task ExecInARunningContainer_SeparatesStreams_AndReportsTheExitCode()
    {
        var created = await _client.Containers.CreateContainerAsync(new CreateContainerParameters { Image = "busybox:latest", Cmd = ["sleep", "1000"] });
        await _client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        var exec = await _client.Exec.CreateContainerExecAsync(created.ID, new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", "echo out-$X; echo err >&2; exit 5"],
            Env = ["X=1"],
            AttachStdout = true,
            AttachStderr = true,
        });
        using (var stream = await _client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters()))
        {
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(CancellationToken.None);
            Assert.Equal("out-1\n", stdout);
            Assert.Equal("err\n", stderr);
        }

        var inspected = await _client.Exec.InspectContainerExecAsync(exec.ID);
        Assert.False(inspected.Running);
        Assert.Equal(5, inspected.ExitCode);

        await _client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
    }

    [Fact]
    public async Task ListImages_AndContainersByLabel()
    {
        var images = await _client.Images.ListImagesAsync(new ImagesListParameters());
        Assert.Contains(images, i => i.RepoTags?.Contains("busybox:latest") == true);

        var created = await _client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = "busybox:latest",
            Cmd = ["true"],
            Labels = new Dictionary<string, string> { ["berth.list"] = "yes" },
        });
        var listed = await _client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["berth.list=yes"] = true } },
        });
        Assert.Equal(created.ID, Assert.Single(listed).ID);
        await _client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters());
    }
}
