using System.Text;
using Vigil.Postgres.Types;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// What <see cref="DataRowWriter.Rewrite"/> writes for one field: the original bytes (<see cref="Keep"/>, the default),
/// SQL NULL, new bytes, or a <see cref="TextValue"/> encoded in place (no intermediate array).
/// </summary>
public readonly struct FieldReplacement
{
    private FieldReplacement(FieldReplacementKind kind, ReadOnlyMemory<byte> bytes, TextValue? text, Encoding? encoding)
    {
        Kind = kind;
        Bytes = bytes;
        Text = text;
        Encoding = encoding;
    }

    /// <summary>Keep the original field (default value of the struct).</summary>
    public static FieldReplacement Keep => default;

    /// <summary>Write SQL NULL (length -1).</summary>
    public static FieldReplacement Null => new(FieldReplacementKind.Null, default, null, null);

    /// <summary>What this replacement writes.</summary>
    public FieldReplacementKind Kind { get; }

    /// <summary>The new bytes for <see cref="FieldReplacementKind.Bytes"/>.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The value for <see cref="FieldReplacementKind.Text"/>.</summary>
    public TextValue? Text { get; }

    /// <summary>The encoding <see cref="Text"/> is written in.</summary>
    public Encoding? Encoding { get; }

    /// <summary>Write these bytes as the field's value.</summary>
    /// <param name="bytes">The new value (its length becomes the field's length).</param>
    /// <returns>The replacement.</returns>
    public static FieldReplacement Of(ReadOnlyMemory<byte> bytes) => new(FieldReplacementKind.Bytes, bytes, null, null);

    /// <summary>Write a (masked) text value, encoded with <see cref="TextValueCodec"/> in the session's encoding.</summary>
    /// <param name="value">The value from <see cref="TextValueCodec.Decode"/> with replaced elements.</param>
    /// <param name="encoding">The session's encoding.</param>
    /// <returns>The replacement.</returns>
    public static FieldReplacement Of(TextValue value, Encoding encoding)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(encoding);
        return new(FieldReplacementKind.Text, default, value, encoding);
    }
}

/// <summary>Kinds of <see cref="FieldReplacement"/>.</summary>
public enum FieldReplacementKind
{
    /// <summary>The original bytes, copied.</summary>
    Keep,

    /// <summary>SQL NULL.</summary>
    Null,

    /// <summary>Caller-supplied bytes.</summary>
    Bytes,

    /// <summary>A <see cref="TextValue"/> encoded in place.</summary>
    Text,
}
