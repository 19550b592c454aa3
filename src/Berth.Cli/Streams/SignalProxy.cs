using System.Runtime.InteropServices;
using Berth.Client;

namespace Berth.Cli.Streams;

/// <summary>Forwards the signals the CLI receives to the container (docker's --sig-proxy).</summary>
public sealed class SignalProxy : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    private SignalProxy()
    {
    }

    public static SignalProxy Start(EngineClient client, string id)
    {
        var proxy = new SignalProxy();
        foreach (var (signal, name) in new[] { (PosixSignal.SIGINT, "SIGINT"), (PosixSignal.SIGTERM, "SIGTERM"), (PosixSignal.SIGHUP, "SIGHUP"), (PosixSignal.SIGQUIT, "SIGQUIT") })
        {
            proxy._registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true;
                _ = Task.Run(async () =>
                {
                    try
                    {
                        using var r = await client.SendAsync("POST", $"/containers/{id}/kill", new EngineQuery().Add("signal", name));
                    }
                    catch (Exception e) when (e is EngineApiException or EngineConnectionException)
                    {
                    }
                });
            }));
        }

        return proxy;
    }

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }
    }
}
