namespace Vigil.Postgres.Streaming;

/// <summary>
/// Where a window handed to a <see cref="DataRowWindowScanner"/> lies in its field's value.
/// </summary>
/// <param name="ValueOffset">Offset of the window's first byte within the value.</param>
/// <param name="ValueLength">The whole value's length in bytes.</param>
/// <param name="Rescanned">
/// Leading bytes of this window the previous call already saw (the overlap; 0 in a value's first window). A match lying
/// wholly inside them was already reported; count it once.
/// </param>
/// <param name="IsLast">True for the value's last window.</param>
public readonly record struct DataRowWindow(long ValueOffset, long ValueLength, int Rescanned, bool IsLast);

/// <summary>
/// Scans one window of a streamed field value and may overwrite matched bytes in place (same length, e.g. '*' for
/// every byte of a match). Bytes the processor protects (array headers, element lengths, jsonb version bytes) are
/// restored after the call whatever it wrote.
/// </summary>
/// <param name="fieldIndex">0-based column index.</param>
/// <param name="window">The window's bytes, writable.</param>
/// <param name="info">Where the window lies in the value.</param>
public delegate void DataRowWindowScanner(int fieldIndex, Span<byte> window, DataRowWindow info);
