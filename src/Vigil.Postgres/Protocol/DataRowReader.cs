using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// Enumerates the fields of a DataRow ('D', PostgreSQL 15 docs §55.7) body: Int16 column count, then per column an
/// Int32 length (-1 for NULL, no bytes follow) and that many bytes. Values are slices of the body (no copy), valid while
/// the body is. Usage: <c>var row = new DataRowReader(body); while (row.MoveNext()) { row.Index, row.IsNull, row.Value }</c>.
/// </summary>
public ref struct DataRowReader
{
    private const string Name = "DataRow";
    private SequenceReader<byte> _reader;

    /// <summary>Reads the column count.</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <exception cref="PostgresProtocolException">The body is shorter than the count.</exception>
    public DataRowReader(ReadOnlySequence<byte> body)
    {
        _reader = new SequenceReader<byte>(body);
        FieldCount = BodyReader.ReadCount16(ref _reader, Name, "column count");
        Index = -1;
    }

    /// <summary>Number of columns in the row (0..65535).</summary>
    public int FieldCount { get; }

    /// <summary>0-based index of the current field; -1 before the first <see cref="MoveNext"/>.</summary>
    public int Index { get; private set; }

    /// <summary>True when the current field is SQL NULL (length -1).</summary>
    public bool IsNull { get; private set; }

    /// <summary>The current field's bytes (empty for NULL and for an empty value).</summary>
    public ReadOnlySequence<byte> Value { get; private set; }

    /// <summary>Moves to the next field.</summary>
    /// <returns><see langword="false"/> after the last field (the body must end there).</returns>
    /// <exception cref="PostgresProtocolException">A length below -1 or beyond the body, or bytes after the last field.</exception>
    public bool MoveNext()
    {
        if (Index + 1 >= FieldCount)
        {
            if (Index < FieldCount)
            {
                Index = FieldCount;
                Value = default;
                BodyReader.ExpectEnd(ref _reader, Name);
            }

            return false;
        }

        Index++;
        var length = BodyReader.ReadInt32(ref _reader, Name, "column length");
        if (length == -1)
        {
            IsNull = true;
            Value = ReadOnlySequence<byte>.Empty;
            return true;
        }

        if (length < -1 || length > _reader.Remaining)
        {
            throw new PostgresProtocolException(
                $"invalid {Name} message: column {Index + 1} has length {length} with {_reader.Remaining} bytes left");
        }

        IsNull = false;
        Value = _reader.UnreadSequence.Slice(0, length);
        _reader.Advance(length);
        return true;
    }
}
