using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Networking;

/// <summary>
/// A throw-away network namespace ("net-it-…") that plays the host for networking tests, so
/// bridges, rules and sysctls never touch the machine's own namespace.
/// </summary>
public sealed class TestNamespace : IAsyncDisposable
{
    private TestNamespace(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public string Path => $"/run/netns/{Name}";

    public static async Task<TestNamespace> CreateAsync()
    {
        var name = $"net-it-{Guid.NewGuid().ToString("N")[..8]}";
        await Shell.CheckAsync("ip", "netns", "add", name);
        await Shell.CheckAsync("ip", "-n", name, "link", "set", "lo", "up");
        return new TestNamespace(name);
    }

    /// <summary>Runs a command inside the namespace (ip netns exec).</summary>
    public Task<CommandResult> ExecAsync(params string[] args) => Shell.RunAsync("ip", ["netns", "exec", Name, .. args]);

    public async Task<string> CheckAsync(params string[] args)
    {
        var r = await ExecAsync(args);
        return r.ExitCode == 0 ? r.Stdout : throw new InvalidOperationException($"{string.Join(' ', args)} in {Name} failed: {r}");
    }

    public async ValueTask DisposeAsync() => await Shell.RunAsync("ip", ["netns", "delete", Name]);
}
