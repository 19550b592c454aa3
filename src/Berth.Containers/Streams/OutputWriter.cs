using Berth.Runtime;

namespace Berth.Containers.Streams;

/// <summary>Where attach, exec and logs deliver output; the HTTP edge frames it (stdcopy or raw).</summary>
public delegate ValueTask OutputWriter(OutputStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
