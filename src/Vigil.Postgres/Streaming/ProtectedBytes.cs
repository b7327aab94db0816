using System.Buffers.Binary;
using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Streaming;

/// <summary>
/// The structural bytes of one streamed value that a scanner must not change: the jsonb version byte, or a binary
/// array's header (ndim, flags, element type, dimensions), each element's Int32 length and, for jsonb[], each element's
/// version byte (array_send layout, see <see cref="Types.TextValueCodec"/>). It parses the value's original bytes as they
/// stream by (each byte once, before the scanner sees it), so a range is known before any window holding part of it is
/// scanned; the processor snapshots those bytes before a scan and writes them back after.
/// </summary>
internal sealed class ProtectedBytes
{
    private readonly List<(long Start, int Length)> _ranges = [];
    private readonly List<byte> _saved = [];
    private readonly byte[] _int32 = new byte[4];
    private StreamedValueKind _kind;
    private Phase _phase;
    private long _position;
    private long _skipUntil;
    private int _filled;

    private enum Phase
    {
        None,
        Dimensions,
        ElementLength,
    }

    public void Reset(StreamedValueKind kind)
    {
        _kind = kind;
        _ranges.Clear();
        _position = 0;
        _skipUntil = 0;
        _filled = 0;
        _phase = kind is StreamedValueKind.TextArray or StreamedValueKind.JsonbArray ? Phase.Dimensions : Phase.None;
        if (kind == StreamedValueKind.Jsonb)
        {
            _ranges.Add((0, 1));
        }
        else if (_phase == Phase.Dimensions)
        {
            _ranges.Add((0, 12));
        }
    }

    /// <summary>Parses the next original bytes of the value (in order, each once).</summary>
    public void Observe(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length && _phase != Phase.None)
        {
            if (_position < _skipUntil)
            {
                var skip = (int)Math.Min(bytes.Length - i, _skipUntil - _position);
                i += skip;
                _position += skip;
                continue;
            }

            _int32[_filled++] = bytes[i++];
            _position++;
            if (_filled < 4)
            {
                continue;
            }

            _filled = 0;
            var value = BinaryPrimitives.ReadInt32BigEndian(_int32);
            if (_phase == Phase.Dimensions)
            {
                if (value is < 0 or > Types.TextValueCodec.MaxDimensions)
                {
                    throw new PostgresProtocolException($"invalid array: {value} dimensions");
                }

                // flags and element type follow ndim, then ndim × (length, lower bound): all header.
                _ranges.Add((12, 8 * value));
                _skipUntil = 12 + (8L * value);
                _phase = Phase.ElementLength;
                AddLengthRange(_skipUntil);
                continue;
            }

            if (value < -1)
            {
                throw new PostgresProtocolException($"invalid array: element length {value}");
            }

            if (value > 0 && _kind == StreamedValueKind.JsonbArray)
            {
                _ranges.Add((_position, 1));
            }

            _skipUntil = _position + Math.Max(0, value);
            AddLengthRange(_skipUntil);
        }
    }

    /// <summary>Saves the protected bytes inside a window (at <paramref name="offset"/> in the value).</summary>
    public void Save(ReadOnlySpan<byte> window, long offset)
    {
        _saved.Clear();
        foreach (var (start, length) in _ranges)
        {
            var from = Math.Max(start, offset);
            var to = Math.Min(start + length, offset + window.Length);
            for (var p = from; p < to; p++)
            {
                _saved.Add(window[(int)(p - offset)]);
            }
        }
    }

    /// <summary>Writes the saved bytes back, then forgets ranges that end before <paramref name="nextOffset"/>.</summary>
    public void Restore(Span<byte> window, long offset, long nextOffset)
    {
        var k = 0;
        foreach (var (start, length) in _ranges)
        {
            var from = Math.Max(start, offset);
            var to = Math.Min(start + length, offset + window.Length);
            for (var p = from; p < to; p++)
            {
                window[(int)(p - offset)] = _saved[k++];
            }
        }

        var done = 0;
        while (done < _ranges.Count && _ranges[done].Start + _ranges[done].Length <= nextOffset)
        {
            done++;
        }

        _ranges.RemoveRange(0, done);
    }

    private void AddLengthRange(long start) => _ranges.Add((start, 4));
}
