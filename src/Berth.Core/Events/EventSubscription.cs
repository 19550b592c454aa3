using System.Threading.Channels;

namespace Berth.Core.Events;

public sealed class EventSubscription : IDisposable
{
    private readonly Action _unsubscribe;

    internal EventSubscription(IReadOnlyList<EngineEvent> past, ChannelReader<EngineEvent> live, Action unsubscribe)
    {
        Past = past;
        Live = live;
        _unsubscribe = unsubscribe;
    }

    public IReadOnlyList<EngineEvent> Past { get; }

    public ChannelReader<EngineEvent> Live { get; }

    public void Dispose() => _unsubscribe();
}
