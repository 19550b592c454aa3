namespace Berth.Tests.Integration.Harness;

/// <summary>
/// xunit class fixture: one berthd with busybox:latest loaded, shared by the tests of one class.
/// Derive to choose a prefix: <c>public sealed class ImagesDaemon() : DaemonFixture("img");</c>
/// </summary>
public abstract class DaemonFixture(string prefix, bool loadBusybox = true) : IAsyncLifetime
{
    public BerthDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Daemon = await BerthDaemon.StartAsync(prefix);
        if (loadBusybox)
        {
            await Daemon.LoadBusyboxAsync();
        }
    }

    public async Task DisposeAsync() => await Daemon.DisposeAsync();
}
