using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Cli;

/// <summary>
/// The engine the CLI tests talk to: by default a berthd of the harness (own netns, roots and
/// socket) with busybox loaded; $BERTH_TEST_DOCKER_HOST points the same tests at another engine
/// (e.g. dockerd) to check that berth prints what docker prints against it.
/// </summary>
public sealed class CliEngine : IAsyncLifetime
{
    private BerthDaemon? _daemon;

    public string Host { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("BERTH_TEST_DOCKER_HOST") is { Length: > 0 } external)
        {
            Host = external;
            return;
        }

        _daemon = await BerthDaemon.StartAsync("cli");
        await _daemon.LoadBusyboxAsync();
        Host = _daemon.DockerHost;
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }
    }
}
