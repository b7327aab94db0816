using System.Buffers;
using System.Text;
using Vigil.Postgres.Protocol;
using Vigil.Postgres.Types;

namespace Vigil.Postgres.Copy;

/// <summary>
/// One complete row of <c>COPY … TO STDOUT</c> data from <see cref="CopyRowSplitter"/>: its raw bytes (with the
/// terminating newline), its fields decoded on demand, and the replacements the caller sets. Written back with
/// <see cref="WriteTo(Span{byte})"/> or <see cref="WriteCopyData"/>: an unchanged row is its raw bytes; in a changed row
/// the unchanged fields keep their raw bytes and only replaced fields are escaped (text) or quoted (CSV) anew. Valid
/// until the splitter's next <see cref="CopyRowSplitter.Append"/> or <see cref="CopyRowSplitter.TryReadRow"/>.
/// </summary>
public sealed class CopyRow
{
    private readonly CopyOptions _options;
    private readonly Encoding _encoding;
    private readonly byte[] _nullMarker;
    private readonly List<(int Start, int Length, bool Quoted)> _fields = [];
    /// <summary>Per field: whether it was replaced, and the replacement's bytes in the session encoding (null for NULL).</summary>
    private readonly List<(bool Changed, byte[]? Bytes)> _replacements = [];
    private bool _changed;

    internal CopyRow(CopyOptions options, Encoding encoding)
    {
        _options = options;
        _encoding = encoding;
        _nullMarker = encoding.GetBytes(options.Null);
    }

    /// <summary>The row as received: its fields and the terminating newline (absent only on an unterminated last row).</summary>
    public ReadOnlyMemory<byte> Raw { get; private set; }

    /// <summary>Number of fields.</summary>
    public int FieldCount => _fields.Count;

    /// <summary>True once <see cref="SetValue"/> changed a field.</summary>
    public bool IsChanged => _changed;

    private bool Terminated => !Raw.IsEmpty && Raw.Span[^1] == (byte)'\n';

    /// <summary>True when field <paramref name="index"/> as received is the NULL marker (unquoted, for CSV).</summary>
    /// <param name="index">0-based field index.</param>
    /// <returns>Whether it is SQL NULL.</returns>
    public bool IsNull(int index)
    {
        var (start, length, quoted) = _fields[index];
        return !quoted && Raw.Span.Slice(start, length).SequenceEqual(_nullMarker);
    }

    /// <summary>The received value of field <paramref name="index"/>: escapes (text) or quotes (CSV) resolved, decoded in the session's encoding.</summary>
    /// <param name="index">0-based field index.</param>
    /// <returns>The text, or <see langword="null"/> for NULL.</returns>
    public string? GetValue(int index)
    {
        if (IsNull(index))
        {
            return null;
        }

        var (start, length, _) = _fields[index];
        var raw = Raw.Span.Slice(start, length);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            var n = CopyFieldCodec.Unescape(raw, _options, buffer);
            return PostgresText.Decode(new ReadOnlySequence<byte>(buffer, 0, n), _encoding);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Replaces field <paramref name="index"/> (e.g. with its masked text); <see langword="null"/> writes the NULL marker.</summary>
    /// <param name="index">0-based field index.</param>
    /// <param name="value">The new value.</param>
    public void SetValue(int index, string? value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _fields.Count);
        _replacements[index] = (true, value is null ? null : _encoding.GetBytes(value));
        _changed = true;
    }

    /// <summary>The byte length <see cref="WriteTo(Span{byte})"/> writes.</summary>
    /// <returns>Length in bytes, newline included.</returns>
    public int GetEncodedLength()
    {
        if (!_changed)
        {
            return Raw.Length;
        }

        long length = (Terminated ? 1 : 0) + Math.Max(0, _fields.Count - 1);
        for (var i = 0; i < _fields.Count; i++)
        {
            var (changed, bytes) = _replacements[i];
            length += !changed ? _fields[i].Length
                : bytes is null ? _nullMarker.Length
                : CopyFieldCodec.EscapedLength(bytes, bytes.AsSpan().SequenceEqual(_nullMarker), _fields.Count == 1, _options);
        }

        return length <= 0x3FFF_FFFF ? (int)length : throw new InvalidOperationException($"row of {length} bytes is too long");
    }

    /// <summary>Writes the row (raw, or re-encoded when changed) into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="GetEncodedLength"/> bytes.</param>
    /// <returns>Bytes written.</returns>
    public int WriteTo(Span<byte> destination)
    {
        if (!_changed)
        {
            Raw.Span.CopyTo(destination);
            return Raw.Length;
        }

        var raw = Raw.Span;
        var n = 0;
        for (var i = 0; i < _fields.Count; i++)
        {
            if (i > 0)
            {
                destination[n++] = _options.Delimiter;
            }

            var (changed, bytes) = _replacements[i];
            if (!changed)
            {
                var (start, length, _) = _fields[i];
                raw.Slice(start, length).CopyTo(destination[n..]);
                n += length;
            }
            else if (bytes is null)
            {
                _nullMarker.CopyTo(destination[n..]);
                n += _nullMarker.Length;
            }
            else
            {
                n += CopyFieldCodec.Escape(bytes, bytes.AsSpan().SequenceEqual(_nullMarker), _fields.Count == 1, _options, destination[n..]);
            }
        }

        if (Terminated)
        {
            destination[n++] = (byte)'\n';
        }

        return n;
    }

    /// <summary>Writes one CopyData ('d') message holding this row.</summary>
    /// <param name="writer">Destination (the client's pipe).</param>
    public void WriteCopyData(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = GetEncodedLength();
        var span = writer.GetSpan(MessageReader.HeaderSize + length);
        span[0] = BackendMessageCode.CopyData;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(span[1..], length + 4);
        WriteTo(span[MessageReader.HeaderSize..]);
        writer.Advance(MessageReader.HeaderSize + length);
    }

    /// <summary>Takes a new row: splits <paramref name="raw"/> into fields.</summary>
    internal void Reset(ReadOnlyMemory<byte> raw)
    {
        Raw = raw;
        _fields.Clear();
        _replacements.Clear();
        _changed = false;
        var line = raw.Span;
        if (Terminated)
        {
            line = line[..^1];
        }

        var start = 0;
        while (true)
        {
            var end = CopyFieldCodec.FieldEnd(line, start, _options, out var quoted);
            _fields.Add((start, end - start, quoted));
            _replacements.Add((false, null));
            if (end >= line.Length)
            {
                break;
            }

            start = end + 1;
        }
    }
}
