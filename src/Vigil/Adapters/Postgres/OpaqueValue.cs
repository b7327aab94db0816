using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// The recorded form of a result value the result stages do not inspect: binary values of common fixed-size types in
/// their text output form (int2/int4/int8, bool, float4/float8, oid, uuid; PostgreSQL docs §8 and each type's
/// <c>*send</c> function), anything else as <c>\x</c> hex of its first <see cref="MaxHexBytes"/> bytes.
/// </summary>
internal static class OpaqueValue
{
    /// <summary>Bytes of an unknown binary value shown as hex; longer values end in "…".</summary>
    public const int MaxHexBytes = 64;

    /// <summary>The text of binary value <paramref name="value"/> of type <paramref name="typeOid"/>.</summary>
    public static string Text(uint typeOid, in ReadOnlySequence<byte> value)
    {
        Span<byte> head = stackalloc byte[(int)Math.Min(value.Length, MaxHexBytes)];
        value.Slice(0, head.Length).CopyTo(head);
        return (typeOid, value.Length) switch
        {
            (16, 1) => head[0] != 0 ? "t" : "f",
            (21, 2) => BinaryPrimitives.ReadInt16BigEndian(head).ToString(CultureInfo.InvariantCulture),
            (23, 4) => BinaryPrimitives.ReadInt32BigEndian(head).ToString(CultureInfo.InvariantCulture),
            (26, 4) => BinaryPrimitives.ReadUInt32BigEndian(head).ToString(CultureInfo.InvariantCulture),
            (20, 8) => BinaryPrimitives.ReadInt64BigEndian(head).ToString(CultureInfo.InvariantCulture),
            (700, 4) => BinaryPrimitives.ReadSingleBigEndian(head).ToString("R", CultureInfo.InvariantCulture),
            (701, 8) => BinaryPrimitives.ReadDoubleBigEndian(head).ToString("R", CultureInfo.InvariantCulture),
            (2950, 16) => new Guid(head, bigEndian: true).ToString(),
            _ => "\\x" + Convert.ToHexStringLower(head) + (value.Length > MaxHexBytes ? "…" : ""),
        };
    }
}
