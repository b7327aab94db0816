using System.Buffers;
using System.Buffers.Binary;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// Sequential big-endian writer over one pre-sized message in an <see cref="IBufferWriter{T}"/>.
/// Writers compute the exact size first, so a message is written with one GetSpan/Advance pair.
/// </summary>
internal ref struct SpanWriter
{
    private readonly Span<byte> _span;
    private int _position;

    private SpanWriter(Span<byte> span)
    {
        _span = span;
        _position = 0;
    }

    /// <summary>Starts a typed message: writes the code and the length (4 + body).</summary>
    public static SpanWriter BeginTyped(IBufferWriter<byte> writer, byte code, long bodyLength)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var total = CheckedTotal(bodyLength + MessageReader.HeaderSize);
        var w = new SpanWriter(writer.GetSpan(total)[..total]);
        w.WriteByte(code);
        w.WriteInt32(total - 1);
        return w;
    }

    /// <summary>Starts an untyped startup packet: writes the length (4 + payload).</summary>
    public static SpanWriter BeginUntyped(IBufferWriter<byte> writer, long payloadLength)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var total = CheckedTotal(payloadLength + 4);
        var w = new SpanWriter(writer.GetSpan(total)[..total]);
        w.WriteInt32(total);
        return w;
    }

    public readonly void Commit(IBufferWriter<byte> writer)
    {
        if (_position != _span.Length)
        {
            throw new InvalidOperationException($"message size mismatch: wrote {_position} of {_span.Length} bytes");
        }

        writer.Advance(_position);
    }

    public void WriteByte(byte value) => _span[_position++] = value;

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_span[_position..], value);
        _position += 2;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_span[_position..], value);
        _position += 4;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_span[_position..]);
        _position += value.Length;
    }

    /// <summary>Writes every segment of <paramref name="value"/>.</summary>
    public void WriteBytes(in ReadOnlySequence<byte> value)
    {
        foreach (var segment in value)
        {
            WriteBytes(segment.Span);
        }
    }

    /// <summary>Returns the next <paramref name="length"/> bytes for the caller to fill, and moves past them.</summary>
    public Span<byte> Take(int length)
    {
        var span = _span.Slice(_position, length);
        _position += length;
        return span;
    }

    /// <summary>Writes UTF-8 text without a terminator.</summary>
    public void WriteUtf8(string value) => _position += WireText.Utf8.GetBytes(value, _span[_position..]);

    /// <summary>Writes UTF-8 text plus a NUL; the caller sized it with <see cref="WireText.CStringLength"/>.</summary>
    public void WriteCString(string value)
    {
        _position += WireText.Utf8.GetBytes(value, _span[_position..]);
        _span[_position++] = 0;
    }

    private static int CheckedTotal(long total)
    {
        if (total > int.MaxValue)
        {
            throw new ArgumentException($"message of {total} bytes exceeds the protocol's Int32 length limit");
        }

        return (int)total;
    }
}
