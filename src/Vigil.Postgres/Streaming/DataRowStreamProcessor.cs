using System.Buffers;
using System.Buffers.Binary;
using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Streaming;

/// <summary>
/// Masks a DataRow ('D', §55.7) too large to hold whole, as it streams: the proxy has already forwarded the 5-byte
/// header, so the body's length cannot change. Feed the body in successive segments with <see cref="Process"/>; the
/// output has exactly the input's bytes except where the scanner overwrote (same length), with the same total length.
/// Field counts and lengths are forwarded as they arrive; a column whose kind is not
/// <see cref="StreamedValueKind.PassThrough"/> is handed to the scanner in windows of at most <c>windowSize</c> bytes,
/// successive windows overlapping by <c>overlap</c> bytes, and a window's bytes are forwarded only after its scan (the
/// overlap after the next window's), so memory is one window whatever the row's size.
/// <para>
/// What this means for a value split across windows: any match of at most <c>overlap + 1</c> bytes lies wholly inside
/// some window while none of its bytes has been forwarded, so it is found and masked as in a whole value. Each window
/// is scanned as received (the overlap is handed over with its original bytes, not as the previous scan left it), and a
/// byte either scan overwrote stays overwritten, so a match the previous window saw cut short (and may have partly
/// masked) is seen whole in the next. A longer match
/// that straddles a boundary is seen only in parts, and its part in an earlier window may already be forwarded; a
/// recognizer that needs more context than the overlap (a checksum over a 40-byte number with overlap 32) can miss it.
/// A multibyte character cut at a window's edge decodes as U+FFFD at that edge and whole in the next window. The default
/// overlap (4 KiB) exceeds every Presidio entity's length by far.
/// </para>
/// <para>
/// Binary arrays and jsonb: the processor parses their layout (array header, element lengths, version bytes) from the
/// original bytes and restores those bytes after each scan, so an overwrite can change element text but never the
/// structure. Reuse one instance per connection: <see cref="Begin"/> for each oversized row. Not thread-safe.
/// </para>
/// </summary>
public sealed class DataRowStreamProcessor : IDisposable
{
    /// <summary>Default window: 64 KiB.</summary>
    public const int DefaultWindowSize = 64 * 1024;

    /// <summary>Default overlap between windows: 4 KiB.</summary>
    public const int DefaultOverlap = 4 * 1024;

    private const string Name = "DataRow";

    private readonly int _windowSize;
    private readonly int _overlap;
    private readonly byte[] _header = new byte[4];
    private readonly ProtectedBytes _protected = new();
    private byte[]? _window;
    // The overlap as the previous scan received it and as it left it: the next scan sees the original bytes (so a match
    // the previous window cut short is found whole), and a byte either scan changed stays changed.
    private byte[] _previousOriginal = [];
    private byte[] _previousMasked = [];
    private byte[] _pendingOriginal = [];
    private byte[] _pendingMasked = [];
    private Func<int, StreamedValueKind> _kindOf = _ => StreamedValueKind.PassThrough;
    private DataRowWindowScanner _scanner = static (_, _, _) => { };
    private Phase _phase = Phase.Done;
    private long _bodyRemaining;
    private int _headerFilled;
    private int _fieldCount;
    private int _fieldIndex;
    private StreamedValueKind _kind;
    private long _valueLength;
    private long _valueRemaining;
    private long _windowOffset;
    private int _filled;
    private int _rescanned;

    /// <summary>Creates a processor.</summary>
    /// <param name="windowSize">Bytes per scanned window (≥ 64).</param>
    /// <param name="overlap">Bytes each window repeats from the previous one (≥ 0, at most half the window).</param>
    public DataRowStreamProcessor(int windowSize = DefaultWindowSize, int overlap = DefaultOverlap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 64);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(overlap, windowSize / 2);
        _windowSize = windowSize;
        _overlap = overlap;
    }

    /// <summary>Allocates the window and overlap buffers on the first scanned value.</summary>
    private void EnsureBuffers()
    {
        if (_window is null)
        {
            _window = ArrayPool<byte>.Shared.Rent(_windowSize);
            _previousOriginal = new byte[_overlap];
            _previousMasked = new byte[_overlap];
            _pendingOriginal = new byte[_overlap];
            _pendingMasked = new byte[_overlap];
        }
    }

    private enum Phase
    {
        Count,
        Length,
        Value,
        Done,
    }

    /// <summary>True when the whole body has been processed (and output).</summary>
    public bool IsComplete => _phase == Phase.Done && _bodyRemaining == 0;

    /// <summary>Body bytes still expected.</summary>
    public long Remaining => _bodyRemaining;

    /// <summary>Starts a DataRow whose header has been forwarded.</summary>
    /// <param name="bodyLength">The body's length: the header's length field minus 4.</param>
    /// <param name="kindOf">
    /// Per column index, how to treat its values (<see cref="StreamedValueKinds.For"/> of the RowDescription field for a
    /// column to scan, <see cref="StreamedValueKind.PassThrough"/> for one to skip or without a description).
    /// </param>
    /// <param name="scanner">Called for each window of each scanned value.</param>
    public void Begin(long bodyLength, Func<int, StreamedValueKind> kindOf, DataRowWindowScanner scanner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bodyLength);
        ArgumentNullException.ThrowIfNull(kindOf);
        ArgumentNullException.ThrowIfNull(scanner);
        _kindOf = kindOf;
        _scanner = scanner;
        _bodyRemaining = bodyLength;
        _phase = Phase.Count;
        _headerFilled = 0;
        _fieldIndex = 0;
        _filled = 0;
    }

    /// <summary>Processes the next bytes of the body, writing what can be forwarded to <paramref name="output"/>.</summary>
    /// <param name="input">The next body bytes, at most <see cref="Remaining"/>.</param>
    /// <param name="output">Where forwarded bytes go (the client's pipe).</param>
    /// <exception cref="ArgumentException">More bytes than the body has left, or no row begun.</exception>
    /// <exception cref="PostgresProtocolException">
    /// A malformed body (a length below -1 or beyond the body, bytes after the last field, the body ending before it) or
    /// a malformed binary array in a scanned column. The stream is then unusable: close the connection.
    /// </exception>
    public void Process(ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (input.Length > _bodyRemaining)
        {
            throw new ArgumentException($"{input.Length} bytes given with {_bodyRemaining} left in the row", nameof(input));
        }

        foreach (var segment in input)
        {
            var span = segment.Span;
            while (!span.IsEmpty)
            {
                span = span[Step(span, output)..];
            }
        }

        if (_bodyRemaining == 0 && _phase != Phase.Done)
        {
            throw new PostgresProtocolException($"invalid {Name} message: the body ended inside column {_fieldIndex + 1}");
        }
    }

    /// <summary>Returns the window buffer to the pool.</summary>
    public void Dispose()
    {
        if (_window is not null)
        {
            ArrayPool<byte>.Shared.Return(_window);
            _window = null;
        }
    }

    /// <summary>Consumes a prefix of <paramref name="span"/>; returns its length (≥ 1).</summary>
    private int Step(ReadOnlySpan<byte> span, IBufferWriter<byte> output)
    {
        switch (_phase)
        {
            case Phase.Count:
            case Phase.Length:
                var need = _phase == Phase.Count ? 2 : 4;
                var take = Math.Min(need - _headerFilled, span.Length);
                span[..take].CopyTo(_header.AsSpan(_headerFilled));
                output.Write(span[..take]);
                _headerFilled += take;
                _bodyRemaining -= take;
                if (_headerFilled == need)
                {
                    _headerFilled = 0;
                    if (_phase == Phase.Count)
                    {
                        _fieldCount = BinaryPrimitives.ReadUInt16BigEndian(_header);
                        NextField(first: true);
                    }
                    else
                    {
                        StartValue(BinaryPrimitives.ReadInt32BigEndian(_header));
                    }
                }

                return take;
            case Phase.Value:
                var n = (int)Math.Min(span.Length, _valueRemaining);
                _bodyRemaining -= n;
                if (_kind == StreamedValueKind.PassThrough)
                {
                    output.Write(span[..n]);
                }
                else
                {
                    AppendToWindow(span[..n], output);
                }

                _valueRemaining -= n;
                if (_valueRemaining == 0)
                {
                    EndValue(output);
                }

                return n;
            default:
                throw new PostgresProtocolException($"invalid {Name} message: {_bodyRemaining} unexpected trailing bytes");
        }
    }

    private void NextField(bool first)
    {
        if (!first)
        {
            _fieldIndex++;
        }

        // Bytes after the last field are refused when they arrive (Step's default case).
        _phase = _fieldIndex < _fieldCount ? Phase.Length : Phase.Done;
    }

    private void StartValue(int length)
    {
        if (length < -1 || length > _bodyRemaining)
        {
            throw new PostgresProtocolException(
                $"invalid {Name} message: column {_fieldIndex + 1} has length {length} with {_bodyRemaining} bytes left");
        }

        if (length <= 0)
        {
            NextField(first: false);
            return;
        }

        _kind = _kindOf(_fieldIndex);
        _valueLength = _valueRemaining = length;
        _windowOffset = 0;
        _filled = 0;
        _rescanned = 0;
        if (_kind != StreamedValueKind.PassThrough)
        {
            EnsureBuffers();
            _protected.Reset(_kind);
        }

        _phase = Phase.Value;
    }

    private void AppendToWindow(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        while (!bytes.IsEmpty)
        {
            if (_filled == _windowSize)
            {
                // Full and more of the value follows: scan, forward all but the overlap, keep the overlap in front.
                Scan(isLast: false);
                var forward = _windowSize - _overlap;
                output.Write(_window.AsSpan(0, forward));
                _pendingOriginal.CopyTo(_window.AsSpan());
                (_previousOriginal, _pendingOriginal) = (_pendingOriginal, _previousOriginal);
                (_previousMasked, _pendingMasked) = (_pendingMasked, _previousMasked);
                _windowOffset += forward;
                _filled = _rescanned = _overlap;
            }

            var take = Math.Min(bytes.Length, _windowSize - _filled);
            bytes[..take].CopyTo(_window.AsSpan(_filled));
            _filled += take;
            bytes = bytes[take..];
        }
    }

    private void EndValue(IBufferWriter<byte> output)
    {
        if (_kind != StreamedValueKind.PassThrough)
        {
            Scan(isLast: true);
            output.Write(_window.AsSpan(0, _filled));
            _filled = 0;
        }

        NextField(first: false);
    }

    private void Scan(bool isLast)
    {
        var window = _window.AsSpan(0, _filled);
        _protected.Observe(window[_rescanned..]);
        _protected.Save(window, _windowOffset);
        if (!isLast)
        {
            window[^_overlap..].CopyTo(_pendingOriginal);
        }

        _scanner(_fieldIndex, window, new DataRowWindow(_windowOffset, _valueLength, _rescanned, isLast));
        _protected.Restore(window, _windowOffset, isLast ? long.MaxValue : _windowOffset + _windowSize - _overlap);
        for (var i = 0; i < _rescanned; i++)
        {
            if (window[i] == _previousOriginal[i])
            {
                window[i] = _previousMasked[i];
            }
        }

        if (!isLast)
        {
            window[^_overlap..].CopyTo(_pendingMasked);
        }
    }
}
