namespace Vigil.Postgres.Types;

/// <summary>
/// A field value decoded to its text elements by <see cref="TextValueCodec.Decode"/>: one element for a text-format
/// value or a binary scalar, every element of an array in storage order (row-major, as array_send writes them; NULL
/// elements are <see langword="null"/>). Replace elements in <see cref="Elements"/> (a <see langword="null"/> makes an
/// array element NULL) and write the value back with <see cref="TextValueCodec.ToBytes"/>; dimensions and lower bounds
/// are kept.
/// </summary>
public sealed class TextValue
{
    internal TextValue(uint typeOid, short formatCode, string?[] elements, uint elementOid, int[] dimensions, int[] lowerBounds, bool hasNull)
    {
        TypeOid = typeOid;
        FormatCode = formatCode;
        Elements = elements;
        ElementOid = elementOid;
        Dimensions = dimensions;
        LowerBounds = lowerBounds;
        OriginalHasNull = hasNull;
    }

    /// <summary>The column's type OID, as in the RowDescription.</summary>
    public uint TypeOid { get; }

    /// <summary>0 text, 1 binary.</summary>
    public short FormatCode { get; }

    /// <summary>True for a binary-format array (several elements, NULL allowed); false for a single text value.</summary>
    public bool IsArray => Dimensions.Length > 0 || ElementOid != 0;

    /// <summary>The text elements; the caller may replace them (a scalar's one element must stay non-null).</summary>
    public string?[] Elements { get; }

    /// <summary>Array element type OID from the array header; 0 for scalars.</summary>
    internal uint ElementOid { get; }

    /// <summary>Array dimension lengths (empty for scalars and for an empty array).</summary>
    internal int[] Dimensions { get; }

    /// <summary>Array lower bounds, one per dimension.</summary>
    internal int[] LowerBounds { get; }

    /// <summary>The array header's has-null flag as received.</summary>
    internal bool OriginalHasNull { get; }
}
