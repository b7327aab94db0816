using System.Buffers;
using Vigil.Postgres.Types;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// Writes DataRow ('D', PostgreSQL 15 docs §55.7) messages: a rewrite of a received row with some fields replaced
/// (kept fields are copied byte for byte, lengths and the message length are recomputed), or a new row.
/// </summary>
public static class DataRowWriter
{
    /// <summary>
    /// Writes a complete DataRow message (header included) built from <paramref name="originalBody"/> with
    /// <paramref name="replacements"/> applied by column index; columns beyond the span's length are kept.
    /// </summary>
    /// <param name="writer">Destination.</param>
    /// <param name="originalBody">The received DataRow body, without its 5-byte header.</param>
    /// <param name="replacements">One entry per column (default = keep), at most the row's column count.</param>
    /// <exception cref="PostgresProtocolException">The original body is malformed.</exception>
    /// <exception cref="ArgumentException">More replacements than columns, or a row over the Int32 message limit.</exception>
    public static void Rewrite(IBufferWriter<byte> writer, ReadOnlySequence<byte> originalBody, ReadOnlySpan<FieldReplacement> replacements)
    {
        var row = new DataRowReader(originalBody);
        if (replacements.Length > row.FieldCount)
        {
            throw new ArgumentException($"{replacements.Length} replacements for a row of {row.FieldCount} columns", nameof(replacements));
        }

        long length = 2;
        while (row.MoveNext())
        {
            var replacement = row.Index < replacements.Length ? replacements[row.Index] : default;
            length += 4 + replacement.Kind switch
            {
                FieldReplacementKind.Null => 0,
                FieldReplacementKind.Bytes => replacement.Bytes.Length,
                FieldReplacementKind.Text => TextValueCodec.GetEncodedLength(replacement.Text!, replacement.Encoding!),
                _ => row.Value.Length,
            };
        }

        var w = SpanWriter.BeginTyped(writer, BackendMessageCode.DataRow, length);
        row = new DataRowReader(originalBody);
        w.WriteInt16((short)row.FieldCount);
        while (row.MoveNext())
        {
            var replacement = row.Index < replacements.Length ? replacements[row.Index] : default;
            switch (replacement.Kind)
            {
                case FieldReplacementKind.Null:
                    w.WriteInt32(-1);
                    break;
                case FieldReplacementKind.Bytes:
                    w.WriteInt32(replacement.Bytes.Length);
                    w.WriteBytes(replacement.Bytes.Span);
                    break;
                case FieldReplacementKind.Text:
                    var textLength = TextValueCodec.GetEncodedLength(replacement.Text!, replacement.Encoding!);
                    w.WriteInt32(textLength);
                    TextValueCodec.Encode(replacement.Text!, replacement.Encoding!, w.Take(textLength));
                    break;
                default:
                    w.WriteInt32(row.IsNull ? -1 : (int)row.Value.Length);
                    w.WriteBytes(row.Value);
                    break;
            }
        }

        w.Commit(writer);
    }

    /// <summary>Writes a new DataRow message from values (<see langword="null"/> = SQL NULL).</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="values">The column values, at most 65535.</param>
    /// <exception cref="ArgumentException">Too many columns, or a row over the Int32 message limit.</exception>
    public static void Write(IBufferWriter<byte> writer, IReadOnlyList<byte[]?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count > ushort.MaxValue)
        {
            throw new ArgumentException($"{values.Count} columns exceed the protocol's 65535", nameof(values));
        }

        var length = 2L + values.Sum(v => 4L + (v?.Length ?? 0));
        var w = SpanWriter.BeginTyped(writer, BackendMessageCode.DataRow, length);
        w.WriteInt16((short)values.Count);
        foreach (var value in values)
        {
            w.WriteInt32(value?.Length ?? -1);
            w.WriteBytes(value);
        }

        w.Commit(writer);
    }
}
