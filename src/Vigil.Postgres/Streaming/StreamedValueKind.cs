using Vigil.Postgres.Protocol;
using Vigil.Postgres.Types;

namespace Vigil.Postgres.Streaming;

/// <summary>How <see cref="DataRowStreamProcessor"/> treats one column's values.</summary>
public enum StreamedValueKind
{
    /// <summary>Forwarded untouched, never shown to the scanner (binary non-text types, columns the caller skips).</summary>
    PassThrough,

    /// <summary>Every byte is text (text format, or a binary text/varchar/bpchar/name/json/xml/unknown value).</summary>
    Text,

    /// <summary>Binary jsonb: byte 0 is the version, protected from overwriting; the rest is text.</summary>
    Jsonb,

    /// <summary>A binary array of text elements: its header and element lengths are protected; elements are text.</summary>
    TextArray,

    /// <summary>A binary jsonb[]: as <see cref="TextArray"/>, and each element's version byte is protected too.</summary>
    JsonbArray,
}

/// <summary>Chooses a <see cref="StreamedValueKind"/> from a column's description.</summary>
public static class StreamedValueKinds
{
    /// <summary>
    /// The kind of <paramref name="column"/>'s values: <see cref="StreamedValueKind.PassThrough"/> when it is not text
    /// (<see cref="TextValueCodec.IsTextLike"/>: binary non-text types, bytea in either format),
    /// <see cref="StreamedValueKind.Text"/> for other text-format values, else the matching binary kind.
    /// </summary>
    /// <param name="column">The column from the RowDescription (<see cref="RowDescriptionMessage.ForPortal"/> for a portal).</param>
    /// <returns>The kind.</returns>
    public static StreamedValueKind For(RowDescriptionField column) =>
        !TextValueCodec.IsTextLike(column.TypeOid, column.FormatCode) ? StreamedValueKind.PassThrough
        : column.FormatCode == 0 ? StreamedValueKind.Text
        : column.TypeOid switch
        {
            PostgresTypes.Jsonb => StreamedValueKind.Jsonb,
            PostgresTypes.JsonbArray => StreamedValueKind.JsonbArray,
            var oid when TextValueCodec.ElementOf(oid) != 0 => StreamedValueKind.TextArray,
            _ => StreamedValueKind.Text,
        };
}
