using System.Threading.Channels;

namespace Berth.Core.Events;

/// <summary>
/// In-memory fan-out of engine events with a bounded history, so that <c>/events?since=</c> can
/// replay recent events and live subscribers never block publishers (a slow reader loses events
/// rather than stalling container lifecycle operations).
/// </summary>
public sealed class EventBus
{
    private const int HistoryLimit = 1024;
    private readonly Lock _lock = new();
    private readonly LinkedList<EngineEvent> _history = new();
    private readonly List<Channel<EngineEvent>> _subscribers = [];
    private readonly TimeProvider _time;

    public EventBus(TimeProvider time)
    {
        _time = time;
    }

    public void Publish(string type, string action, string actorId, IReadOnlyDictionary<string, string>? attributes = null)
    {
        var ev = new EngineEvent(type, action, actorId, attributes ?? new Dictionary<string, string>(), _time.GetUtcNow());
        lock (_lock)
        {
            _history.AddLast(ev);
            if (_history.Count > HistoryLimit)
            {
                _history.RemoveFirst();
            }

            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(ev);
            }
        }
    }

    /// <summary>Past events (oldest first) plus a live reader; dispose the subscription to stop.</summary>
    public EventSubscription Subscribe()
    {
        var channel = Channel.CreateBounded<EngineEvent>(new BoundedChannelOptions(4096)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_lock)
        {
            var past = _history.ToArray();
            _subscribers.Add(channel);
            return new EventSubscription(past, channel.Reader, () =>
            {
                lock (_lock)
                {
                    _subscribers.Remove(channel);
                }

                channel.Writer.TryComplete();
            });
        }
    }
}
