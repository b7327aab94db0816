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
            return bytes.IsSingleSegment ? Utf8.GetString(bytes.FirstSpan) : DecodeSegments(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new PostgresProtocolException(
                $"invalid byte sequence for encoding \"UTF8\" in {context}",
                PostgresSqlState.CharacterNotInRepertoire,
                ex);
        }
    }

    /// <summary>
    /// Decodes a multi-segment sequence straight into the result string: one pass counts the characters, a second decodes
    /// into the string's own memory, so a large message (a 30 MiB Query) costs its string and nothing more.
    /// </summary>
    private static string DecodeSegments(in ReadOnlySequence<byte> bytes)
    {
        // GetCharCount keeps no state between calls, so a character split across segments is counted by converting
        // into a small scratch buffer instead.
        var decoder = Utf8.GetDecoder();
        var scratch = ArrayPool<char>.Shared.Rent(4096);
        long length = 0;
        long consumed = 0;
        try
        {
            foreach (var segment in bytes)
            {
                consumed += segment.Length;
                var last = consumed == bytes.Length;
                var span = segment.Span;
                while (true)
                {
                    decoder.Convert(span, scratch, last, out var used, out var produced, out var completed);
                    length += produced;
                    span = span[used..];
                    if (span.IsEmpty && (completed || !last))
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(scratch);
        }
        if (length > Array.MaxLength)
        {
            throw new PostgresProtocolException($"text of {length} characters is too long");
        }
        return string.Create((int)length, bytes, static (chars, source) =>
        {
            var decoder = Utf8.GetDecoder();
            long consumed = 0;
            foreach (var segment in source)
            {
                consumed += segment.Length;
                var written = decoder.GetChars(segment.Span, chars, flush: consumed == source.Length);
                chars = chars[written..];
            }
        });
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
