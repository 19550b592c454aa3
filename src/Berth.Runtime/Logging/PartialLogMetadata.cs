namespace Berth.Runtime.Logging;

/// <summary>
/// Docker's PartialLogMetaData: a line longer than the copier's buffer (16 KiB) is logged in
/// pieces that share an id (64 hex digits) and the first piece's time; ordinals count from 1 and
/// the piece that ends the line is the last. A line cut off by the end of the stream never gets a last piece.
/// </summary>
public readonly record struct PartialLogMetadata(bool Last, string Id, int Ordinal);
