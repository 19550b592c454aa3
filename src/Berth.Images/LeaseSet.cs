namespace Berth.Images;

/// <summary>
/// Blobs an operation in progress has written but not yet referenced from an image: garbage
/// collection leaves them alone. Leases are in memory only: every operation that holds one dies with
/// the daemon, and start-up recovery runs before any new operation.
/// </summary>
internal sealed class LeaseSet
{
    private readonly Dictionary<string, int> _blobs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Lease Acquire() => new(this);

    public bool IsProtected(string digest)
    {
        lock (_lock)
        {
            return _blobs.ContainsKey(digest);
        }
    }

    internal void Add(string digest)
    {
        lock (_lock)
        {
            _blobs[digest] = _blobs.GetValueOrDefault(digest) + 1;
        }
    }

    internal void Remove(string digest)
    {
        lock (_lock)
        {
            if (_blobs.TryGetValue(digest, out var n))
            {
                if (n <= 1)
                {
                    _blobs.Remove(digest);
                }
                else
                {
                    _blobs[digest] = n - 1;
                }
            }
        }
    }

    /// <summary>One operation's protected blobs; dispose when the operation has committed or failed.</summary>
    public sealed class Lease(LeaseSet owner) : IDisposable
    {
        private readonly List<string> _held = [];

        public void Protect(string digest)
        {
            owner.Add(digest);
            lock (_held)
            {
                _held.Add(digest);
            }
        }

        public void Dispose()
        {
            lock (_held)
            {
                foreach (var d in _held)
                {
                    owner.Remove(d);
                }

                _held.Clear();
            }
        }
    }
}
