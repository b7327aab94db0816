using System.Buffers;
using System.Text;

namespace Vigil.Postgres.Protocol;

/// <summary>One column of a RowDescription (§55.7).</summary>
/// <param name="Name">Column name (decoded in the session's client_encoding).</param>
/// <param name="TableOid">OID of the table the column comes from, or 0 when it is not a plain table column.</param>
/// <param name="ColumnAttributeNumber">The column's attribute number in that table, or 0.</param>
/// <param name="TypeOid">OID of the column's data type (see <see cref="Types.PostgresTypes"/>).</param>
/// <param name="TypeSize">pg_type.typlen: a fixed size in bytes, or negative for variable-width types (-1 varlena, -2 cstring).</param>
/// <param name="TypeModifier">pg_attribute.atttypmod, type-specific (e.g. varchar(n) is n + 4), -1 when none.</param>
/// <param name="FormatCode">0 text, 1 binary; in a RowDescription answering a statement Describe it is always 0 (not yet known).</param>
public readonly record struct RowDescriptionField(
    string Name, uint TableOid, short ColumnAttributeNumber, uint TypeOid, short TypeSize, int TypeModifier, short FormatCode)
{
    /// <summary>True when the column's values are sent in binary format (format code 1).</summary>
    public bool IsBinary => FormatCode == 1;
}

/// <summary>
/// RowDescription ('T', PostgreSQL 15 docs §55.7): Int16 field count, then per field String name, Int32 table OID,
/// Int16 attribute number, Int32 type OID, Int16 type size, Int32 type modifier, Int16 format code.
/// </summary>
/// <param name="Fields">The columns, in result order.</param>
public sealed record RowDescriptionMessage(IReadOnlyList<RowDescriptionField> Fields)
{
    private const string Name = "RowDescription";

    /// <summary>Parses a RowDescription body. Trailing bytes are rejected.</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <param name="encoding">
    /// The session's client_encoding for the column names; <see langword="null"/> for strict UTF-8 (invalid bytes are an
    /// error). Any other encoding decodes with its own fallback (<see cref="Encoding.UTF8"/> substitutes U+FFFD).
    /// </param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Truncated body, a format code other than 0 or 1, trailing bytes, or invalid UTF-8 in strict mode.</exception>
    public static RowDescriptionMessage Parse(ReadOnlySequence<byte> body, Encoding? encoding = null)
    {
        var reader = new SequenceReader<byte>(body);
        var count = BodyReader.ReadCount16(ref reader, Name, "field count");
        // Each field takes at least 19 bytes: a count larger than the body allows is malformed, not a large allocation.
        if (count * 19L > reader.Remaining)
        {
            throw new PostgresProtocolException($"invalid {Name} message: {count} fields do not fit in {reader.Remaining} bytes");
        }

        var fields = new RowDescriptionField[count];
        for (var i = 0; i < count; i++)
        {
            var name = encoding is null
                ? BodyReader.ReadCString(ref reader, Name, "field name")
                : BodyReader.ReadCString(ref reader, Name, "field name", encoding);
            var table = (uint)BodyReader.ReadInt32(ref reader, Name, "table OID");
            var attribute = BodyReader.ReadInt16(ref reader, Name, "column attribute number");
            var type = (uint)BodyReader.ReadInt32(ref reader, Name, "type OID");
            var size = BodyReader.ReadInt16(ref reader, Name, "type size");
            var modifier = BodyReader.ReadInt32(ref reader, Name, "type modifier");
            var format = BodyReader.ReadInt16(ref reader, Name, "format code");
            if (format is not (0 or 1))
            {
                throw new PostgresProtocolException($"invalid {Name} message: field {i + 1} has format code {format}");
            }

            fields[i] = new RowDescriptionField(name, table, attribute, type, size, modifier, format);
        }

        BodyReader.ExpectEnd(ref reader, Name);
        return new RowDescriptionMessage(fields);
    }

    /// <summary>
    /// The columns as a portal bound by <paramref name="bind"/> sends them: a RowDescription answering Describe of a
    /// statement says format 0 for every column (not yet known, §55.7); the Bind's result format codes decide.
    /// </summary>
    /// <param name="bind">The Bind that created the portal.</param>
    /// <returns>A description with each column's real format code.</returns>
    public RowDescriptionMessage ForPortal(BindMessage bind) =>
        new(Fields.Select((field, i) => field with { FormatCode = bind.ResultFormat(i) }).ToArray());
}
