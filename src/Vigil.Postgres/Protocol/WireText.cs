using System.Buffers;
using System.Text;

namespace Vigil.Postgres.Protocol;

/// <summary>Strict UTF-8 conversion shared by parsers and writers.</summary>
internal static class WireText
{
    /// <summary>UTF-8 without BOM that throws on invalid bytes instead of substituting U+FFFD.</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Decode(in ReadOnlySequence<byte> bytes, string context)
    {
        try
        {
            return bytes.IsSingleSegment ? Utf8.GetString(bytes.FirstSpan) : Utf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new PostgresProtocolException(
                $"invalid byte sequence for encoding \"UTF8\" in {context}",
                PostgresSqlState.CharacterNotInRepertoire,
                ex);
        }
    }

    /// <summary>Byte count of a NUL-terminated string; rejects embedded NULs (they would break framing).</summary>
    public static int CStringLength(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("PostgreSQL strings cannot contain NUL characters.", paramName);
        }

        return Utf8.GetByteCount(value) + 1;
    }
}
