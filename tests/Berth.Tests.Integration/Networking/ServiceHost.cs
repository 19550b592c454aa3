using System.Diagnostics;
using Berth.Networking;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Networking;

/// <summary>
/// A NetworkService whose "host" is a test namespace, with its own data-root, exec-root,
/// resolv.conf (pointing at 127.0.0.1 only, so nothing leaves the machine) and bridge name.
/// Container namespaces are made by the service; "container processes" are started in them
/// with nsenter.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly List<(string Netns, Process Process)> _processes = [];

    private ServiceHost(TestNamespace host, string dir, NetworkService service)
    {
        Host = host;
        Dir = dir;
        Service = service;
    }

    public TestNamespace Host { get; }

    public string Dir { get; }

    public NetworkService Service { get; private set; }

    public string DataRoot => Path.Combine(Dir, "data");

    public string ExecRoot => Path.Combine(Dir, "exec");

    public static async Task<ServiceHost> StartAsync(Func<NetworkServiceOptions, NetworkServiceOptions>? configure = null, Berth.Core.Events.EventBus? events = null)
    {
        var host = await TestNamespace.CreateAsync();
        var dir = Path.Combine("/run", host.Name);
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "resolv.conf"), "nameserver 127.0.0.1\nsearch example.test\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "hosts"), "127.0.0.1\tlocalhost\n");
        var options = new NetworkServiceOptions
        {
            DataRoot = Path.Combine(dir, "data"),
            ExecRoot = Path.Combine(dir, "exec"),
            BridgeName = "bnet0",
            HostNamespace = host.Path,
            HostResolvConf = Path.Combine(dir, "resolv.conf"),
            HostHosts = Path.Combine(dir, "hosts"),
            NftTable = "berth",
        };
        options = configure?.Invoke(options) ?? options;
        var service = new NetworkService(options, events);
        await service.InitializeAsync(CancellationToken.None);
        return new ServiceHost(host, dir, service);
    }

    /// <summary>Simulates a daemon restart: a new service on the same state (optionally after a "kill -9": no cleanup).</summary>
    public async Task RestartAsync(bool crash)
    {
        if (crash)
        {
            // A killed daemon's sockets close with it; nothing else is cleaned up.
            await Service.Dns.DisposeAsync();
        }
        else
        {
            await Service.DisposeAsync();
        }

        Service = new NetworkService(Service.Options);
        await Service.InitializeAsync(CancellationToken.None);
    }

    /// <summary>Runs a command inside a container namespace and waits for it.</summary>
    public static Task<CommandResult> InContainerAsync(string netns, params string[] args) =>
        Shell.RunAsync("nsenter", [$"--net={netns}", .. args], timeout: TimeSpan.FromSeconds(30));

    /// <summary>Starts a long-running process inside a container namespace (killed at dispose).</summary>
    public Process StartInContainer(string netns, params string[] args)
    {
        var psi = new ProcessStartInfo("nsenter") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add($"--net={netns}");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        _processes.Add((netns, p));
        return p;
    }

    /// <summary>Kills the processes started in a container namespace ("the container stopped").</summary>
    public async Task StopContainerAsync(string netns)
    {
        foreach (var (_, p) in _processes.Where(x => x.Netns == netns))
        {
            if (!p.HasExited)
            {
                p.Kill();
                await p.WaitForExitAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, p) in _processes)
        {
            if (!p.HasExited)
            {
                p.Kill();
                await p.WaitForExitAsync();
            }

            p.Dispose();
        }

        try
        {
            await Service.DisposeAsync();
        }
        catch (ObjectDisposedException)
        {
        }

        foreach (var f in Directory.Exists(Path.Combine(ExecRoot, "netns")) ? Directory.GetFiles(Path.Combine(ExecRoot, "netns")) : [])
        {
            await Shell.RunAsync("umount", ["-l", f]);
        }

        await Host.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
