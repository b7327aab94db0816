using System.Buffers;
using System.Text;
using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Types;

/// <summary>
/// Conversion of wire text in the session's client_encoding (§24.3 Character Set Support) with a caller-chosen
/// <see cref="Encoding"/>. Pass one whose fallbacks substitute rather than throw, such as <see cref="Encoding.UTF8"/>
/// (invalid bytes decode to U+FFFD): a value the proxy only scans is never re-encoded, so its original bytes, valid or
/// not, reach the client unchanged; only a value that was masked is re-encoded (its U+FFFD become EF BF BD).
/// </summary>
public static class PostgresText
{
    /// <summary>
    /// The .NET encoding to scan values with for a client_encoding the proxy accepts: UTF8 → UTF-8, LATIN1 → ISO-8859-1,
    /// SQL_ASCII → ISO-8859-1 (bytes above 127 are uninterpreted in SQL_ASCII; Latin-1 maps each to one character, so
    /// ASCII-only PII is still found and other bytes survive unchanged), WIN1252 and the other single-byte WIN/ISO/KOI8
    /// code pages through <see cref="CodePagesEncodingProvider"/>; all with replacement fallbacks.
    /// </summary>
    /// <param name="clientEncoding">The server's client_encoding parameter, e.g. "UTF8" (case and '_'/'-' ignored).</param>
    /// <returns>The encoding, or <see langword="null"/> when it is not one listed here.</returns>
    public static Encoding? ForClientEncoding(string? clientEncoding)
    {
        var name = (clientEncoding ?? "UTF8").Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
        if (name is "UTF8" or "UNICODE")
        {
            return Encoding.UTF8;
        }

        if (name is "LATIN1" or "SQLASCII" or "ISO88591")
        {
            return Encoding.Latin1;
        }

        var codePage = name switch
        {
            "WIN1250" => 1250, "WIN1251" => 1251, "WIN1252" => 1252, "WIN1253" => 1253, "WIN1254" => 1254,
            "WIN1255" => 1255, "WIN1256" => 1256, "WIN1257" => 1257, "WIN1258" => 1258, "WIN866" => 866, "WIN874" => 874,
            "LATIN2" => 28592, "LATIN3" => 28593, "LATIN4" => 28594, "LATIN5" => 28599, "LATIN7" => 28603,
            "LATIN9" => 28605, "ISO88595" => 28595, "ISO88596" => 28596, "ISO88597" => 28597, "ISO88598" => 28598,
            "KOI8R" => 20866, "KOI8U" => 21866,
            _ => 0,
        };
        if (codePage == 0)
        {
            return null;
        }

        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage, EncoderFallback.ReplacementFallback, DecoderFallback.ReplacementFallback);
    }

    /// <summary>Decodes wire bytes (one or many segments) to a string.</summary>
    /// <param name="bytes">The value's bytes.</param>
    /// <param name="encoding">The session's encoding (<see cref="ForClientEncoding"/>).</param>
    /// <returns>The text.</returns>
    /// <exception cref="PostgresProtocolException">The encoding's fallback throws on invalid bytes (SQLSTATE 22021), or the text is too long for a string.</exception>
    public static string Decode(in ReadOnlySequence<byte> bytes, Encoding encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        try
        {
            return bytes.IsSingleSegment ? encoding.GetString(bytes.FirstSpan) : encoding.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new PostgresProtocolException(
                $"invalid byte sequence for encoding \"{encoding.WebName}\"", PostgresSqlState.CharacterNotInRepertoire, ex);
        }
        catch (OutOfMemoryException ex)
        {
            throw new PostgresProtocolException($"text of {bytes.Length} bytes is too long to decode", ex);
        }
    }

    /// <summary>
    /// Decodes bytes that are scanned and overwritten in place (a <see cref="Streaming.DataRowStreamProcessor"/> window)
    /// and tells where each character came from, so a match found in the text (UTF-16 offsets) maps back to the bytes to
    /// overwrite: characters [s, e) are bytes [<paramref name="byteOffsets"/>[s], <paramref name="byteOffsets"/>[e]).
    /// UTF-8 is decoded rune by rune: an invalid or cut-off sequence (a window edge can cut a character) becomes one
    /// U+FFFD spanning its bytes. Single-byte encodings map one byte to one character.
    /// </summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="encoding">UTF-8 or a single-byte encoding (<see cref="ForClientEncoding"/> returns only those).</param>
    /// <param name="byteOffsets">For each character its first byte's offset, plus one final entry: <paramref name="bytes"/>' length.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentException">A multibyte encoding other than UTF-8.</exception>
    public static string DecodeWithOffsets(ReadOnlySpan<byte> bytes, Encoding encoding, out int[] byteOffsets)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        if (encoding.IsSingleByte)
        {
            byteOffsets = new int[bytes.Length + 1];
            for (var i = 0; i <= bytes.Length; i++)
            {
                byteOffsets[i] = i;
            }

            return encoding.GetString(bytes);
        }

        if (encoding.CodePage != Encoding.UTF8.CodePage)
        {
            throw new ArgumentException($"encoding {encoding.WebName} is neither UTF-8 nor single-byte", nameof(encoding));
        }

        var text = new StringBuilder(bytes.Length);
        var offsets = new List<int>(bytes.Length + 1);
        Span<char> units = stackalloc char[2];
        for (var position = 0; position < bytes.Length;)
        {
            Rune.DecodeFromUtf8(bytes[position..], out var rune, out var consumed);
            var count = rune.EncodeToUtf16(units);
            for (var u = 0; u < count; u++)
            {
                text.Append(units[u]);
                offsets.Add(position);
            }

            position += consumed;
        }

        offsets.Add(bytes.Length);
        byteOffsets = [.. offsets];
        return text.ToString();
    }

    /// <summary>Byte count of <paramref name="text"/> in <paramref name="encoding"/>.</summary>
    internal static int GetByteCount(string text, Encoding encoding) => encoding.GetByteCount(text);

    /// <summary>Encodes <paramref name="text"/> into <paramref name="destination"/> (sized by <see cref="GetByteCount"/>).</summary>
    internal static int Encode(string text, Encoding encoding, Span<byte> destination) => encoding.GetBytes(text, destination);
}
