namespace Berth.Volumes;

/// <summary>
/// One lock per key, made when first needed and dropped when its last holder or waiter leaves,
/// so a long-running daemon keeps no gate per volume it ever touched.
/// </summary>
internal sealed class KeyedGates
{
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Gates that exist now (held or waited for).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _gates.Count;
            }
        }
    }

    /// <summary>Takes the gate of <paramref name="key"/> (blocking); dispose the result to leave it.</summary>
    public IDisposable Enter(string key)
    {
        Gate gate;
        lock (_lock)
        {
            if (!_gates.TryGetValue(key, out gate!))
            {
                gate = new Gate();
                _gates[key] = gate;
            }

            gate.Users++;
        }

        gate.Lock.Enter();
        return new Held(this, key, gate);
    }

    private void Leave(string key, Gate gate)
    {
        gate.Lock.Exit();
        lock (_lock)
        {
            if (--gate.Users == 0)
            {
                _gates.Remove(key);
            }
        }
    }

    private sealed class Gate
    {
        public Lock Lock { get; } = new();

        public int Users { get; set; }
    }

    private sealed class Held(KeyedGates owner, string key, Gate gate) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                owner.Leave(key, gate);
            }
        }
    }
}
