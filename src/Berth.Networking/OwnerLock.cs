namespace Berth.Networking;

/// <summary>
/// The async lock of one owner of networking state, entered as
/// <c>using var held = await ownerLock.EnterAsync(ct)</c>. Owners take each other's locks only in
/// the order written in <see cref="NetworkService"/>'s remarks, so no cycle (and no deadlock) can form.
/// </summary>
public sealed class OwnerLock
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async Task<Held> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Held(_semaphore);
    }

    /// <summary>Proof of holding the lock; disposing it releases the lock.</summary>
    public readonly struct Held : IDisposable, IEquatable<Held>
    {
        private readonly SemaphoreSlim? _semaphore;

        internal Held(SemaphoreSlim semaphore)
        {
            _semaphore = semaphore;
        }

        public void Dispose() => _semaphore?.Release();

        public bool Equals(Held other) => ReferenceEquals(_semaphore, other._semaphore);

        public override bool Equals(object? obj) => obj is Held h && Equals(h);

        public override int GetHashCode() => _semaphore?.GetHashCode() ?? 0;

        public static bool operator ==(Held left, Held right) => left.Equals(right);

        public static bool operator !=(Held left, Held right) => !left.Equals(right);
    }
}
