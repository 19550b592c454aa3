using System.Buffers;

namespace Berth.Runtime.Logging;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that hands out slices of large arrays it never reuses, so
/// log lines yielded to a consumer stay valid without one allocation per line. Slabs stay below
/// the large-object threshold (a read-back of a big log would otherwise trigger full GCs) and
/// are not zeroed: every byte handed out is written first.
/// </summary>
internal sealed class SlabWriter : IBufferWriter<byte>
{
    private const int SlabSize = 64 * 1024;

    private byte[] _slab = NewSlab(SlabSize);
    private int _pos;
    private int _start;

    public void Advance(int count) => _pos += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _slab.AsMemory(_pos);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _slab.AsSpan(_pos);
    }

    /// <summary>Starts a new entry; what is written until <see cref="End"/> forms one slice.</summary>
    public void Begin(int expected)
    {
        if (_slab.Length - _pos < expected)
        {
            _slab = NewSlab(Math.Max(SlabSize, expected));
            _pos = 0;
        }

        _start = _pos;
    }

    public ReadOnlyMemory<byte> End() => _slab.AsMemory(_start, _pos - _start);

    /// <summary>Drops what was written since <see cref="Begin"/>.</summary>
    public void Discard() => _pos = _start;

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_slab.Length - _pos < sizeHint)
        {
            // Move the entry begun so far into a fresh slab so it stays contiguous.
            var fresh = NewSlab(Math.Max(SlabSize, (_pos - _start) + sizeHint));
            _slab.AsSpan(_start, _pos - _start).CopyTo(fresh);
            _pos -= _start;
            _start = 0;
            _slab = fresh;
        }
    }

    private static byte[] NewSlab(int size) => GC.AllocateUninitializedArray<byte>(size);
}
