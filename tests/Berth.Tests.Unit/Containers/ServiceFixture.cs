using Berth.Containers;
using Berth.Core.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Tests.Unit.Containers;

/// <summary>A container engine over the fake runtime and images, with its own temp data root and a fake clock.</summary>
public sealed class ServiceFixture : IAsyncDisposable
{
    public ServiceFixture(bool liveRestore = true)
    {
        Root = Directory.CreateTempSubdirectory("berth-ctr-").FullName;
        Time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Runtime = new FakeRuntime(Time);
        Images = new FakeImages(Root);
        Events = new EventBus(Time);
        Options = new ContainerServiceOptions
        {
            DataRoot = Path.Combine(Root, "data"),
            HostResolvConf = Path.Combine(Root, "resolv.conf"),
            LiveRestore = liveRestore,
        };
        File.WriteAllText(Options.HostResolvConf, "nameserver 10.0.0.2\nnameserver 127.0.0.53\nsearch example.org\n");
        Service = NewService();
    }

    public string Root { get; }

    public FakeTimeProvider Time { get; }

    public FakeRuntime Runtime { get; }

    public FakeImages Images { get; }

    public EventBus Events { get; }

    public ContainerServiceOptions Options { get; }

    public ContainerEngine Service { get; private set; }

    public ContainerEngine NewService() => new(Options, Runtime, Images, Events, Time, NullLogger<ContainerEngine>.Instance);

    /// <summary>Simulates a daemon restart: a new service on the same data root and runtime.</summary>
    public async Task<ContainerEngine> RestartDaemonAsync()
    {
        await Service.DisposeAsync();
        Service = NewService();
        await Service.InitializeAsync(CancellationToken.None);
        return Service;
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        Directory.Delete(Root, true);
    }
}
