using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Vigil.Sessions;

/// <summary>
/// A statement's text as the recording keeps it: whole when it is at most the cap (<c>VIGIL_RECORDING_MAX_TEXT</c>,
/// characters; default 64 Ki), else its first <c>cap</c> characters with the whole text's length (characters) and the
/// SHA-256 (lowercase hex) of its UTF-8 bytes, so a recording stays small and still identifies what ran.
/// </summary>
/// <param name="Text">What is stored in <c>text</c>.</param>
/// <param name="Length">The whole text's length in characters when it was cut, else null.</param>
/// <param name="Sha256">SHA-256 of the whole text's UTF-8 bytes when it was cut, else null.</param>
public readonly record struct RecordedText(string? Text, long? Length, string? Sha256)
{
    /// <summary>Default cap: 64 Ki characters.</summary>
    public const int DefaultMaxLength = 64 * 1024;

    private const int HashChunk = 16 * 1024;

    /// <summary>Caps <paramref name="text"/> at <paramref name="maxLength"/> characters (a surrogate pair is never split).</summary>
    public static RecordedText Cap(string? text, int maxLength)
    {
        if (text is null || text.Length <= maxLength)
        {
            return new RecordedText(text, null, null);
        }
        var cut = char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength;
        return new RecordedText(text[..cut], text.Length, Sha256Hex(text));
    }

    /// <summary>SHA-256 of the UTF-8 encoding of <paramref name="text"/>, hashed in chunks so no copy of the whole is made.</summary>
    private static string Sha256Hex(string text)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var encoder = Encoding.UTF8.GetEncoder();
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(HashChunk));
        try
        {
            for (var offset = 0; offset < text.Length; offset += HashChunk)
            {
                var count = Math.Min(HashChunk, text.Length - offset);
                var last = offset + count == text.Length;
                var written = encoder.GetBytes(text.AsSpan(offset, count), buffer, flush: last);
                hash.AppendData(buffer, 0, written);
            }
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
