using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Logging;

/// <summary>
/// A berthd whose daemon.json makes `local` the default driver with a default log-opt, and whose
/// monitors stall a non-blocking log writer on a FIFO until a test opens it (BERTH_TEST_LOG_GATE).
/// </summary>
public sealed class LogDriversDaemon : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("logdrv-").FullName;

    public BerthDaemon Daemon { get; private set; } = null!;

    /// <summary>The FIFO a non-blocking writer waits on.</summary>
    public string Gate => Path.Combine(_dir, "gate");

    /// <summary>Bind-mounted into containers that report their progress as files.</summary>
    public string Shared => Path.Combine(_dir, "shared");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Shared);
        await Shell.CheckAsync("mkfifo", Gate);
        var config = Path.Combine(_dir, "daemon.json");
        await File.WriteAllTextAsync(config, """{"log-driver": "local", "log-opts": {"max-file": "3"}}""");
        Daemon = await BerthDaemon.StartAsync("logdrv", new Dictionary<string, string> { ["BERTH_TEST_LOG_GATE"] = Gate }, "--config-file", config);
        await Daemon.LoadBusyboxAsync();
    }

    public async Task DisposeAsync()
    {
        await Daemon.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
