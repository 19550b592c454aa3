using System.Diagnostics;
using System.Net.Sockets;
using Berth.Core.Events;
using Berth.Daemon;
using Berth.Daemon.Configuration;
using Berth.Daemon.Modules;
using Berth.Networking;
using Berth.Runtime;
using Berth.Tests.Unit.Containers;
using Berth.Tests.Unit.Networking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Tests.Unit.Component;

/// <summary>
/// The whole daemon in this process, composed by DaemonHost as berthd composes it and served by
/// Kestrel on a unix socket in a temporary directory, with the OS boundary replaced where it
/// would reach outside: the container runtime is <see cref="FakeRuntime"/> (running the busybox
/// programs it knows) and the kernel's networking is <see cref="FakeNetworkKernel"/> (the real
/// network controller, with the default bridge and nftables, over namespaces and links in
/// memory). Images, volumes, containers, networks and their stores are the real services on a
/// temporary data-root.
/// </summary>
public class InProcessDaemon : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private readonly string _name = "berth-comp-" + Guid.NewGuid().ToString("N")[..8];
    private Task _run = Task.CompletedTask;

    public string Dir { get; } = Directory.CreateTempSubdirectory("berth-comp-").FullName;

    public string SocketPath => Path.Combine(Dir, "berthd.sock");

    public FakeRuntime Runtime { get; } = new(TimeProvider.System) { RunsPrograms = true };

    public FakeNetworkKernel Kernel { get; } = new();

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new DaemonOptions
        {
            Hosts = [$"unix://{SocketPath}"],
            DataRoot = Path.Combine(Dir, "data"),
            ExecRoot = Path.Combine(Dir, "exec"),
            PidFile = Path.Combine(Dir, "berthd.pid"),
            CgroupParent = "/" + _name,
            LogLevel = "error",
        };
        await File.WriteAllTextAsync(Path.Combine(Dir, "resolv.conf"), "nameserver 127.0.0.1\n");
        await File.WriteAllTextAsync(Path.Combine(Dir, "hosts"), "127.0.0.1\tlocalhost\n");
        _run = Task.Run(() => DaemonHost.RunAsync(options, services =>
        {
            services.AddSingleton<IContainerRuntime>(Runtime);
            services.AddSingleton(sp => new NetworkService(
                NetworksModule.ServiceOptions(options) with { HostResolvConf = Path.Combine(Dir, "resolv.conf"), HostHosts = Path.Combine(Dir, "hosts") },
                Kernel,
                sp.GetRequiredService<EventBus>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Berth.Networking")));
            ReplaceServices(services);
        }, _stop.Token));

        Http = CreateHttpClient(SocketPath);
        var guard = Stopwatch.StartNew();
        while (true)
        {
            if (_run.IsCompleted)
            {
                await _run; // throws what stopped the daemon
                throw new InvalidOperationException("the daemon stopped during start-up");
            }

            try
            {
                using var r = await Http.GetAsync("/_ping");
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (guard.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("the in-process daemon did not answer /_ping");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>A fixture that fakes more than the OS (one route group's backend, say) registers its fakes here.</summary>
    protected virtual void ReplaceServices(IServiceCollection services)
    {
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        Http.Dispose();
        await RunAsync("sh", "-c", $"grep -o ' {Dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l; rm -rf '{Dir}'");
        _stop.Dispose();
    }

    /// <summary>A raw connection to the daemon's socket, for hijacked streams.</summary>
    public async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        return socket;
    }

    public static HttpClient CreateHttpClient(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    {
        BaseAddress = new Uri("http://localhost"),
        Timeout = TimeSpan.FromSeconds(60),
    };

    private static async Task RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {await stderr}");
        }
    }
}
