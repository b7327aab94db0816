using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Types;

/// <summary>
/// Reads and writes the values a masker scans. In text format (0) every value is its text form. In binary format (1)
/// only the text-like types are text: text, varchar, bpchar, name, json, xml, unknown (their send functions write the
/// bytes of the text in client_encoding), jsonb (jsonb_send: version byte 1, then the JSON text), and the arrays of
/// these (array_send: Int32 ndim, Int32 has-null flag, UInt32 element type OID, ndim × (Int32 length, Int32 lower bound),
/// then each element as Int32 length (-1 for NULL) and the element's own binary form). Every other binary value is
/// opaque and passes untouched. Source: PostgreSQL 15 src/backend/utils/adt/{varlena,jsonb,arrayfuncs}.c.
/// </summary>
public static class TextValueCodec
{
    /// <summary>PostgreSQL's MAXDIM: arrays have at most 6 dimensions.</summary>
    public const int MaxDimensions = 6;

    private const string Name = "array";
    private const byte JsonbVersion = 1;

    /// <summary>
    /// True when a value of <paramref name="typeOid"/> sent in <paramref name="formatCode"/> is text to scan (see the
    /// type's remarks). bytea is not, in either format: its text form (<c>\x4a6f…</c>) encodes bytes rather than spells
    /// text, so a recognizer would only find digit runs in the hex, and overwriting them would corrupt the value.
    /// </summary>
    /// <param name="typeOid">The column's type OID from the RowDescription.</param>
    /// <param name="formatCode">The column's format code: 0 text, 1 binary.</param>
    /// <returns>Whether <see cref="Decode"/> accepts it.</returns>
    public static bool IsTextLike(uint typeOid, short formatCode) =>
        (formatCode == 0 && typeOid != PostgresTypes.Bytea) || IsTextScalar(typeOid) || ElementOf(typeOid) != 0;

    /// <summary>The element type of a text-like array type, or 0.</summary>
    /// <param name="typeOid">A type OID.</param>
    /// <returns>E.g. 25 for 1009 (text[]).</returns>
    public static uint ElementOf(uint typeOid) => typeOid switch
    {
        PostgresTypes.TextArray => PostgresTypes.Text,
        PostgresTypes.VarcharArray => PostgresTypes.Varchar,
        PostgresTypes.BpcharArray => PostgresTypes.Bpchar,
        PostgresTypes.NameArray => PostgresTypes.Name,
        PostgresTypes.JsonArray => PostgresTypes.Json,
        PostgresTypes.JsonbArray => PostgresTypes.Jsonb,
        PostgresTypes.XmlArray => PostgresTypes.Xml,
        _ => 0,
    };

    /// <summary>
    /// Decodes a non-NULL field value to its text elements (see <see cref="TextValue"/>). The elements' text is decoded
    /// with <paramref name="encoding"/>; with a replacing encoding (<see cref="Encoding.UTF8"/>) invalid bytes become
    /// U+FFFD, so keep the original bytes unless something was replaced.
    /// </summary>
    /// <param name="value">The value's bytes (a DataRow field without its length).</param>
    /// <param name="typeOid">The column's type OID.</param>
    /// <param name="formatCode">The column's format code.</param>
    /// <param name="encoding">The session's client_encoding (<see cref="PostgresText.ForClientEncoding"/>).</param>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ArgumentException">The type is not text-like in that format (<see cref="IsTextLike"/>).</exception>
    /// <exception cref="PostgresProtocolException">A malformed binary value: wrong jsonb version, bad array header, element type mismatch, lengths beyond the value, trailing bytes.</exception>
    public static TextValue Decode(ReadOnlySequence<byte> value, uint typeOid, short formatCode, Encoding encoding)
    {
        if (!IsTextLike(typeOid, formatCode))
        {
            throw new ArgumentException($"type {typeOid} in format {formatCode} is not text-like", nameof(typeOid));
        }

        if (formatCode == 0 || IsTextScalar(typeOid))
        {
            return new TextValue(typeOid, formatCode, [DecodeScalar(value, formatCode == 0 ? 0 : typeOid, encoding)], 0, [], [], false);
        }

        return DecodeArray(value, typeOid, encoding);
    }

    /// <summary>The byte length <see cref="Encode(TextValue, Encoding, Span{byte})"/> will write for <paramref name="value"/>.</summary>
    /// <param name="value">A value from <see cref="Decode"/>, possibly with replaced elements.</param>
    /// <param name="encoding">The session's encoding.</param>
    /// <returns>Length in bytes.</returns>
    /// <exception cref="ArgumentException">A scalar's element is null, or the value exceeds 1 GiB (PostgreSQL's field limit).</exception>
    public static int GetEncodedLength(TextValue value, Encoding encoding)
    {
        ArgumentNullException.ThrowIfNull(value);
        long length;
        if (!value.IsArray)
        {
            length = ScalarLength(value.Elements[0] ?? throw new ArgumentException("a scalar value cannot be null", nameof(value)), value.FormatCode == 0 ? 0 : value.TypeOid, encoding);
        }
        else
        {
            length = 12L + (8L * value.Dimensions.Length);
            foreach (var element in value.Elements)
            {
                length += 4 + (element is null ? 0 : ScalarLength(element, value.ElementOid, encoding));
            }
        }

        // A field's length is an Int32; PostgreSQL itself caps a value at 1 GiB.
        return length <= 0x3FFF_FFFF ? (int)length : throw new ArgumentException($"value of {length} bytes is too long", nameof(value));
    }

    /// <summary>Writes <paramref name="value"/> in its wire form (the same shape it was decoded from).</summary>
    /// <param name="value">A value from <see cref="Decode"/>, possibly with replaced elements.</param>
    /// <param name="encoding">The session's encoding.</param>
    /// <param name="destination">At least <see cref="GetEncodedLength"/> bytes.</param>
    /// <returns>Bytes written.</returns>
    public static int Encode(TextValue value, Encoding encoding, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.IsArray)
        {
            return EncodeScalar(value.Elements[0]!, value.FormatCode == 0 ? 0 : value.TypeOid, encoding, destination);
        }

        var hasNull = value.OriginalHasNull || Array.IndexOf(value.Elements, null) >= 0;
        BinaryPrimitives.WriteInt32BigEndian(destination, value.Dimensions.Length);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], hasNull ? 1 : 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], value.ElementOid);
        var position = 12;
        for (var d = 0; d < value.Dimensions.Length; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(destination[position..], value.Dimensions[d]);
            BinaryPrimitives.WriteInt32BigEndian(destination[(position + 4)..], value.LowerBounds[d]);
            position += 8;
        }

        foreach (var element in value.Elements)
        {
            if (element is null)
            {
                BinaryPrimitives.WriteInt32BigEndian(destination[position..], -1);
                position += 4;
                continue;
            }

            var written = EncodeScalar(element, value.ElementOid, encoding, destination[(position + 4)..]);
            BinaryPrimitives.WriteInt32BigEndian(destination[position..], written);
            position += 4 + written;
        }

        return position;
    }

    /// <summary>Encodes <paramref name="value"/> into a new array (convenience for tests and small values).</summary>
    /// <param name="value">A value from <see cref="Decode"/>.</param>
    /// <param name="encoding">The session's encoding.</param>
    /// <returns>The wire bytes.</returns>
    public static byte[] ToBytes(TextValue value, Encoding encoding)
    {
        var bytes = new byte[GetEncodedLength(value, encoding)];
        Encode(value, encoding, bytes);
        return bytes;
    }

    private static bool IsTextScalar(uint typeOid) => typeOid is PostgresTypes.Text or PostgresTypes.Varchar or PostgresTypes.Bpchar
        or PostgresTypes.Name or PostgresTypes.Json or PostgresTypes.Jsonb or PostgresTypes.Xml or PostgresTypes.Unknown;

    /// <summary>Decodes a scalar; <paramref name="binaryOid"/> is 0 for text format (no jsonb version byte).</summary>
    private static string DecodeScalar(ReadOnlySequence<byte> value, uint binaryOid, Encoding encoding)
    {
        if (binaryOid == PostgresTypes.Jsonb)
        {
            if (value.IsEmpty || value.FirstSpan[0] != JsonbVersion)
            {
                throw new PostgresProtocolException("invalid jsonb value: unsupported binary version (expected 1)");
            }

            value = value.Slice(1);
        }

        return PostgresText.Decode(value, encoding);
    }

    private static long ScalarLength(string text, uint binaryOid, Encoding encoding) =>
        (binaryOid == PostgresTypes.Jsonb ? 1L : 0L) + PostgresText.GetByteCount(text, encoding);

    private static int EncodeScalar(string text, uint binaryOid, Encoding encoding, Span<byte> destination)
    {
        if (binaryOid == PostgresTypes.Jsonb)
        {
            destination[0] = JsonbVersion;
            return 1 + PostgresText.Encode(text, encoding, destination[1..]);
        }

        return PostgresText.Encode(text, encoding, destination);
    }

    private static TextValue DecodeArray(ReadOnlySequence<byte> value, uint typeOid, Encoding encoding)
    {
        var reader = new SequenceReader<byte>(value);
        var ndim = BodyReader.ReadInt32(ref reader, Name, "number of dimensions");
        var flags = BodyReader.ReadInt32(ref reader, Name, "has-null flag");
        var elementOid = (uint)BodyReader.ReadInt32(ref reader, Name, "element type");
        if (ndim is < 0 or > MaxDimensions)
        {
            throw new PostgresProtocolException($"invalid array: {ndim} dimensions (at most {MaxDimensions})");
        }

        if (flags is not (0 or 1))
        {
            throw new PostgresProtocolException($"invalid array: flags {flags}");
        }

        var expected = ElementOf(typeOid);
        if (elementOid != expected)
        {
            throw new PostgresProtocolException($"invalid array: element type {elementOid} in an array of type {typeOid} (expected {expected})");
        }

        var dimensions = new int[ndim];
        var lowerBounds = new int[ndim];
        long count = ndim == 0 ? 0 : 1;
        for (var d = 0; d < ndim; d++)
        {
            dimensions[d] = BodyReader.ReadInt32(ref reader, Name, "dimension length");
            lowerBounds[d] = BodyReader.ReadInt32(ref reader, Name, "lower bound");
            if (dimensions[d] < 0)
            {
                throw new PostgresProtocolException($"invalid array: dimension {d + 1} has length {dimensions[d]}");
            }

            count *= dimensions[d];
            // Every element takes at least its 4-byte length: a count the value cannot hold is malformed.
            if (count > reader.Remaining / 4 && count > 0)
            {
                throw new PostgresProtocolException($"invalid array: {count} elements do not fit in {reader.Remaining} bytes");
            }
        }

        var elements = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var length = BodyReader.ReadInt32(ref reader, Name, "element length");
            if (length == -1)
            {
                elements[i] = null;
                continue;
            }

            if (length < -1 || length > reader.Remaining)
            {
                throw new PostgresProtocolException($"invalid array: element {i + 1} has length {length} with {reader.Remaining} bytes left");
            }

            elements[i] = DecodeScalar(reader.UnreadSequence.Slice(0, length), elementOid, encoding);
            reader.Advance(length);
        }

        BodyReader.ExpectEnd(ref reader, Name);
        return new TextValue(typeOid, 1, elements, elementOid, dimensions, lowerBounds, flags == 1);
    }
}
